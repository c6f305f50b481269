/**
 * The files of an exported policy page (`a3c export`) besides the page itself, and how the page
 * reads them. No Node APIs here: the browser page imports this module.
 */
import type { NetSpec } from '../nn/net-spec.js';
import { mlpParameterShapes, PlainMlpPolicy } from '../nn/plain-mlp.js';

export const POLICY_PAGE_FILES = Object.freeze({
  /** PolicyPageInfo as JSON. */
  info: 'policy.json',
  /** The checkpoint's model.json: netSpec + tfjs weightsManifest. */
  model: 'model.json',
  /** The checkpoint's weights.bin: float32 parameters in weightsManifest order. */
  weights: 'weights.bin',
});

export interface PolicyPageInfo {
  /** Gymnasium id of the env the policy was trained on and the page plays. */
  env: string;
  /** Env steps the checkpoint was trained for. */
  trainedEnvSteps: number;
  /**
   * The statistics observations are normalised with before the policy sees them (SB3's
   * VecNormalize: clip((obs - mean) / sqrt(var + 1e-8), -10, 10)), for a checkpoint trained with
   * normalizeObs; null or absent otherwise.
   */
  obsNormalization?: { mean: number[]; var: number[] } | null;
}

interface ModelJson {
  netSpec?: NetSpec;
  weightsManifest?: { weights?: { shape?: number[]; dtype?: string }[] }[];
}

export class PolicyPageError extends Error {
  override name = 'PolicyPageError';
}

/**
 * The greedy policy that `model` (parsed model.json) and `weights` (weights.bin) describe. Only
 * MLP networks are read; the layout must be MlpNet's.
 */
export function readPagePolicy(model: unknown, weights: ArrayBuffer): PlainMlpPolicy {
  const { netSpec, weightsManifest } = (model ?? {}) as ModelJson;
  if (netSpec?.kind !== 'mlp') {
    throw new PolicyPageError(`${POLICY_PAGE_FILES.model}: the page plays MLP (classic-control) policies only; got a network of kind ${JSON.stringify(netSpec?.kind)}`);
  }
  const entries = weightsManifest?.[0]?.weights;
  if (!Array.isArray(entries)) throw new PolicyPageError(`${POLICY_PAGE_FILES.model} has no weightsManifest`);
  const shapes = entries.map((entry) => entry.shape);
  const expected = mlpParameterShapes(netSpec);
  if (JSON.stringify(shapes) !== JSON.stringify(expected) || entries.some((entry) => entry.dtype !== 'float32')) {
    throw new PolicyPageError(
      `${POLICY_PAGE_FILES.model}: weights of shapes ${JSON.stringify(shapes)} are not the float32 ${JSON.stringify(expected)} an mlp ${JSON.stringify(netSpec)} has`,
    );
  }
  if (weights.byteLength % Float32Array.BYTES_PER_ELEMENT !== 0) {
    throw new PolicyPageError(`${POLICY_PAGE_FILES.weights} has ${weights.byteLength} bytes, not a whole number of float32 values`);
  }
  return new PlainMlpPolicy(netSpec, new Float32Array(weights));
}
