import * as tf from '@tensorflow/tfjs';
import { loadOneDnn, type OneDnnAddon } from './kernels/onednn-kernels.js';
import { readTensorInto } from './kernels/tensor-read.js';

/** Added to the norm before dividing, as torch.nn.utils.clip_grad_norm_ does. */
export const CLIP_NORM_EPS = 1e-6;

/**
 * Gradients of the scalar `loss` with respect to `variables`, flat in their order (the order of
 * ActorCriticNet.getParams); a variable the loss does not depend on gets zeros. `loss` runs on the
 * gradient tape inside a tidy scope; it may read values (dataSync) for logging.
 */
export function flatGradients(
  net: { readonly variables: readonly tf.Variable[] },
  loss: () => tf.Scalar,
  out?: Float32Array,
): Float32Array {
  const numParams = net.variables.reduce((n, v) => n + v.size, 0);
  const flat = out ?? new Float32Array(numParams);
  if (flat.length !== numParams) throw new Error(`flatGradients: out has ${flat.length} values; the variables hold ${numParams}`);
  const { value, grads } = tf.variableGrads(loss, [...net.variables]);
  try {
    let offset = 0;
    for (const variable of net.variables) {
      const grad = grads[variable.name];
      if (grad === undefined) flat.fill(0, offset, offset + variable.size);
      else readTensorInto(grad, flat, offset);
      offset += variable.size;
    }
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
  return flat;
}

/**
 * Scales `flat` in place so that its global L2 norm is at most `maxNorm`, as
 * torch.nn.utils.clip_grad_norm_: coef = maxNorm / (norm + 1e-6), applied only when below 1.
 * Returns the norm before clipping. A non-finite norm leaves `flat` untouched, for the caller to
 * report: clipping would hide the NaN.
 */
export function clipGradNorm(flat: Float32Array, maxNorm: number, native: OneDnnAddon | null = loadOneDnn()): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be positive; got ${maxNorm}`);
  if (native) return native.clipByGlobalNorm(flat, maxNorm, CLIP_NORM_EPS);
  let sumOfSquares = 0;
  for (let i = 0; i < flat.length; i++) sumOfSquares += flat[i] * flat[i];
  const norm = Math.sqrt(sumOfSquares);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + CLIP_NORM_EPS);
  if (coef < 1) {
    for (let i = 0; i < flat.length; i++) flat[i] *= coef;
  }
  return norm;
}
