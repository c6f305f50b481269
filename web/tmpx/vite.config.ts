import { defineConfig } from 'vite';
export default defineConfig({ root: '/work/wt-web/web/tmpx', build: { outDir: '/tmp/vt/dist', emptyOutDir: true }, resolve: { alias: { '@napi-rs/canvas': '/work/wt-web/web/node-only-stubs/napi-rs-canvas.ts' } } });
