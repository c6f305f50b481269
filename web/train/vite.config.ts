/**
 * Builds the training page (`npm run build:web`, served by `a3c web`) into dist/web-train. It
 * bundles the project's own src/ (the A3C facade, modes, runner, learner, envs, the Web Worker
 * transport) for the page and its agent workers; the few Node-only leaf modules on those paths
 * are replaced by browser stand-ins (../node-only-stubs).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type AliasOptions } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

const alias: AliasOptions = [
  { find: '@napi-rs/canvas', replacement: here('../node-only-stubs/napi-rs-canvas.ts') },
  { find: '@node-rs/crc32', replacement: here('../node-only-stubs/crc32.ts') },
  { find: /^\.\.\/\.\.\/parallel\/redis-trainer\.js$/, replacement: here('../node-only-stubs/redis-trainer.ts') },
  { find: /^\.{1,2}\/(kernels\/)?onednn-kernels\.js$/, replacement: here('../node-only-stubs/onednn-kernels.ts') },
  { find: /^\.\.\/gym-bridge\/index\.js$/, replacement: here('../node-only-stubs/gym-bridge.ts') },
  { find: /^\.\/wasm-threaded-loader\.js$/, replacement: here('../node-only-stubs/wasm-threaded-loader.ts') },
];

export default defineConfig({
  root: here('.'),
  // Relative asset URLs: the folder may be served under any path.
  base: './',
  resolve: { alias },
  worker: { format: 'es' },
  build: {
    outDir: here('../../dist/web-train'),
    emptyOutDir: true,
    // tfjs alone is about 1 MB minified; one page, loaded once.
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      // The page, and spaces.js under a fixed name with its exports kept: what a user's env module
      // imports by URL (spaces.ts).
      input: { index: here('index.html'), spaces: here('spaces.ts') },
      preserveEntrySignatures: 'exports-only',
      output: { entryFileNames: (chunk) => (chunk.name === 'spaces' ? 'spaces.js' : 'assets/[name]-[hash].js') },
      // src/ modules on the page's paths import node:fs and the like for what only Node runs
      // (checkpoint folders, TensorBoard logs, thread and Redis transports); vite empties them,
      // and says so for each: expected here, so not repeated on every build.
      onwarn(warning, warn) {
        if (!warning.message.includes('has been externalized for browser compatibility')) warn(warning);
      },
    },
  },
});
