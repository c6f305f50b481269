import * as tf from '@tensorflow/tfjs';
import { readTensorInto } from './kernels/tensor-read.js';

/**
 * Trainable variables in a fixed order, read and written as one flat Float32Array: the form in
 * which parameters travel between threads (SharedArrayBuffer), optimisers and checkpoints.
 */
export class ParameterList {
  readonly numParams: number;

  constructor(readonly variables: tf.Variable[]) {
    this.numParams = variables.reduce((n, v) => n + v.size, 0);
  }

  /** All parameters, variable after variable, each in its row-major tfjs layout. */
  getParams(out: Float32Array = new Float32Array(this.numParams)): Float32Array {
    this.checkLength(out, 'getParams');
    let offset = 0;
    for (const variable of this.variables) {
      readTensorInto(variable, out, offset);
      offset += variable.size;
    }
    return out;
  }

  /**
   * Loads `flat` (laid out as getParams writes it). Each variable gets a new tensor, never an
   * in-place heap write: XNNPACK caches packed weights by tensor id and would go stale.
   */
  setParams(flat: Float32Array): void {
    this.checkLength(flat, 'setParams');
    // The wasm backend copies values into its heap; the cpu backend keeps the array it is given,
    // which the caller may overwrite (a shared buffer), so it gets a copy.
    const copies = tf.getBackend() !== 'wasm';
    let offset = 0;
    for (const variable of this.variables) {
      const view = flat.subarray(offset, offset + variable.size);
      tf.tidy(() => variable.assign(tf.tensor(copies ? view.slice() : view, variable.shape, 'float32')));
      offset += variable.size;
    }
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
  }

  private checkLength(flat: Float32Array, method: string): void {
    if (flat.length !== this.numParams) {
      throw new Error(`${method}: the array has ${flat.length} values; the network has ${this.numParams} parameters`);
    }
  }
}
