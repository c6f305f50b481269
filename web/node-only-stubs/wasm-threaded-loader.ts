/**
 * Stands in for src/nn/kernels/wasm-threaded-loader.ts, Node's loader of tfjs's threaded wasm
 * build. In a browser tfjs loads that build itself where the page is cross-origin isolated
 * (web/train/web-backend.ts), so initBackend is never asked for more threads there.
 */
export function createThreadedWasmBackend(): never {
  throw new Error("in the browser, tfjs's wasm backend starts its own threads where the page is cross-origin isolated");
}
