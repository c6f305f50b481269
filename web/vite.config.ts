/**
 * Builds the policy page (`a3c export` copies the result next to a checkpoint's weights). It
 * bundles the project's own env and renderer code from src/, so the browser plays the very same
 * env implementation as Node.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  // Relative asset URLs: the exported folder may be served under any path.
  base: './',
  resolve: {
    alias: {
      // Node-only modules that src/ imports for features the page does not use.
      '@napi-rs/canvas': here('node-only-stubs/napi-rs-canvas.ts'),
    },
  },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
  },
});
