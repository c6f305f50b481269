/**
 * Stands in for src/nn/kernels/onednn-kernels.ts, which loads a native Node addon: a browser has
 * none, so the wasm backend keeps its own kernels and the optimisers their TypeScript loops, as
 * in Node without the addon.
 */
export type { OneDnnAddon } from '../../src/nn/kernels/onednn-kernels.js';

export const ONEDNN_KERNEL_NAMES: readonly string[] = [];

export function registerOneDnnKernels(): boolean {
  return false;
}

export function loadOneDnn(): null {
  return null;
}
