/**
 * Explicit tfjs backend set-up: nothing here runs at import. Call `initBackend` once per thread
 * before creating tensors.
 */
import * as tf from '@tensorflow/tfjs';
// Registers (does not select) the 'wasm' backend factory and its stock kernels.
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { ONEDNN_KERNEL_NAMES, registerOneDnnKernels } from './onednn-kernels.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { createThreadedWasmBackend } from './wasm-threaded-loader.js';

export type BackendName = 'wasm' | 'cpu';

export interface InitBackendArgs {
  /**
   * 'wasm': XNNPACK SIMD kernels plus ours (./wasm-kernels.ts). 'cpu': tfjs's pure-JS kernels,
   * about 9 s per Atari training step on this project's 2-core box: a reference for tests only.
   */
  backend?: BackendName;
  /**
   * XNNPACK threads for 'wasm', the calling thread included. More than 1 loads the threaded
   * build; it pays off only when cores are idle (bench/learner.ts measures it). Default: 1 for a
   * new wasm backend, and whatever an existing one runs (the browser page sets up its own).
   */
  threads?: number;
}

export const DEFAULT_BACKEND_ARGS: Readonly<Required<InitBackendArgs>> = Object.freeze({ backend: 'wasm', threads: 1 });

/** tfjs-backend-wasm's own registration priority (its base.ts), kept when we re-register it. */
const WASM_BACKEND_PRIORITY = 2;

/**
 * Kernel sets registered over each backend's own, in order (later ones win); each returns the
 * names it registered. Native kernels (oneDNN) go after the wasm ones.
 */
const ONEDNN_SUFFIX = ' (oneDNN)';

const KERNEL_SETS: Record<BackendName, Array<() => string[]>> = {
  wasm: [registerWasmKernels, () => (registerOneDnnKernels() ? ONEDNN_KERNEL_NAMES.map((name) => `${name}${ONEDNN_SUFFIX}`) : [])],
  cpu: [],
};

/**
 * Selects and initialises `backend`, registers our kernels for it and returns a one-line
 * description. Switching between backends is allowed; the wasm thread count is fixed once the
 * wasm backend exists in this thread.
 */
export async function initBackend(args: InitBackendArgs = {}): Promise<string> {
  const backend = args.backend ?? DEFAULT_BACKEND_ARGS.backend;
  const threads = args.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new Error(`threads must be a positive integer; got ${threads}`);
  if (backend === 'wasm') {
    prepareWasm(threads);
  } else if (backend === 'cpu') {
    if (threads !== undefined && threads !== 1) throw new Error(`the cpu backend is single-threaded; got threads ${threads}: drop threads or use the wasm backend`);
  } else {
    throw new Error(`unknown backend "${String(backend)}"; expected "wasm" or "cpu"`);
  }
  const kernels = KERNEL_SETS[backend].flatMap((register) => register());
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise the ${backend} backend (see the warning above)`);
  if (backend === 'cpu') return `cpu (pure JS, 1 thread${describeKernels(kernels)})`;
  const actualThreads = getThreadsCount();
  const simd = actualThreads > 1 || (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const build = actualThreads > 1 ? 'threaded SIMD' : simd ? 'SIMD' : 'no SIMD';
  const path = kernels.some((k) => k.endsWith(ONEDNN_SUFFIX)) ? 'native oneDNN kernels on wasm' : 'wasm';
  return `${path} (XNNPACK ${build}, ${actualThreads} thread${actualThreads === 1 ? '' : 's'}${describeKernels(kernels)})`;
}

function describeKernels(kernels: string[]): string {
  return kernels.length > 0 ? `; our kernels: ${kernels.join(', ')}` : '';
}

/**
 * Swaps in the threaded wasm build when more than one thread is wanted and no wasm backend exists
 * yet; `threads` undefined keeps an existing one as it is.
 */
function prepareWasm(threads: number | undefined): void {
  if ('wasm' in tf.engine().registry) {
    const existing = getThreadsCount();
    if (threads !== undefined && existing !== threads) {
      throw new Error(`the wasm backend already runs ${existing} thread(s) in this thread; cannot change to ${threads}: call initBackend once, before any other tfjs use`);
    }
    return;
  }
  if (threads !== undefined && threads > DEFAULT_BACKEND_ARGS.threads) {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => createThreadedWasmBackend(threads), WASM_BACKEND_PRIORITY);
  }
}
