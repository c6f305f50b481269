/**
 * tfjs-wasm in the page and its agent workers: the wasm binaries from the bundle, SIMD where the
 * browser has it, and XNNPACK threads where the page is cross-origin isolated and cores are left
 * over by the agents. Then the project's own initBackend, as in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend } from '../../src/nn/kernels/backend.js';

/** What the page tells the user about the backend. */
export interface WebBackend {
  /** initBackend's one-line description. */
  description: string;
  simd: boolean;
}

/**
 * Sets up tfjs-wasm with `threads` XNNPACK threads (1 in agent workers). More than 1 takes
 * tfjs's threaded build, which needs SharedArrayBuffer: asked for where the page is not
 * cross-origin isolated, it runs on 1.
 */
export async function initWebBackend(threads: number): Promise<WebBackend> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plainWasm,
    'tfjs-backend-wasm-simd.wasm': simdWasm,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasm,
  });
  if (threads > 1 && globalThis.crossOriginIsolated) setThreadsCount(threads);
  else tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const description = await initBackend({});
  return { description, simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true };
}
