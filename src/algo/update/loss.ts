import * as tf from '@tensorflow/tfjs';
import { categoricalEntropy, categoricalLogProb, gaussianEntropy, gaussianLogProb } from '../../nn/distributions.js';
import { isGaussianOutput, type ActorCriticOutput } from '../../nn/networks.js';
import { isWithin, MAX_ABS_GRADIENT } from '../rollout/input-bounds.js';

/** Identity whose gradient is zero: tfjs has no stop_gradient. */
const detach = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(x: T) => T;

/** The terms of the actor-critic loss, each a scalar tensor. */
export type LossTerms = {
  /** policy + valueCoef * value - entCoef * entropy: what the gradients are taken of. */
  total: tf.Scalar;
  /** -mean(A * log pi(a|s)), with the advantage A = target - V(s) detached. */
  policy: tf.Scalar;
  /** mean((target - V(s))^2). */
  value: tf.Scalar;
  /** mean policy entropy: -sum pi log pi (categorical), sum log sigma + (1 + log 2 pi) / 2 (Gaussian). */
  entropy: tf.Scalar;
  advantageMean: tf.Scalar;
  valueMean: tf.Scalar;
};

/**
 * log pi(a|s) of the taken actions and the entropy of pi(.|s), each `[batch]`, for either head:
 * `actions` is `[batch]` int32 for categorical logits, `[batch, actDim]` float32 (the unclipped
 * samples) for a Gaussian.
 */
export function policyTerms(out: ActorCriticOutput, actions: tf.Tensor): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  if (isGaussianOutput(out)) {
    return { logProb: gaussianLogProb(out.mean, out.logStd, actions as tf.Tensor2D), entropy: gaussianEntropy(out.logStd) };
  }
  return { logProb: categoricalLogProb(out.logits, actions as tf.Tensor1D), entropy: categoricalEntropy(out.logits) };
}

/** The weights of the loss terms: entropy bonus (ENTROPY_BETA) and value loss (1 in the reference). */
export interface LossCoefs {
  entCoef: number;
  valueCoef: number;
}

/**
 * The A3C loss of Mnih et al. 2016 as Lapan's Chapter 13 writes it: value MSE weighted by
 * `valueCoef` + policy gradient with a detached advantage + an entropy bonus weighted by
 * `entCoef`, for a categorical or a diagonal Gaussian policy (policyTerms).
 * Shapes: the net's output for `[batch]` states, actions as policyTerms takes them, valueTargets `[batch]`.
 */
export function actorCriticLoss(out: ActorCriticOutput, actions: tf.Tensor, valueTargets: tf.Tensor1D, { entCoef, valueCoef }: LossCoefs): LossTerms {
  const values = out.value;
  const { logProb, entropy: entropies } = policyTerms(out, actions);
  const value = tf.losses.meanSquaredError(valueTargets, values) as tf.Scalar;
  const advantages = tf.sub(valueTargets, detach(values));
  const policy = tf.neg(tf.mean(tf.mul(advantages, logProb))) as tf.Scalar;
  const entropy = tf.mean(entropies) as tf.Scalar;
  const total = tf.sub(tf.add(policy, tf.mul(valueCoef, value)), tf.mul(entCoef, entropy)) as tf.Scalar;
  return { total, policy, value, entropy, advantageMean: tf.mean(advantages) as tf.Scalar, valueMean: tf.mean(values) as tf.Scalar };
}

/** Plain numbers of one update's loss terms, for logs and TensorBoard. */
export interface LossStats {
  total: number;
  policy: number;
  value: number;
  entropy: number;
  advantageMean: number;
  valueMean: number;
}

/** The keys of LossStats, in logging order. */
export const LOSS_KEYS: readonly (keyof LossStats)[] = ['total', 'policy', 'value', 'entropy', 'advantageMean', 'valueMean'];

/** Why `value`, which may come from another process, is not a LossStats of finite terms within MAX_ABS_GRADIENT, or null when it is. */
export function lossStatsProblem(value: unknown): string | null {
  const stats = value as Record<string, unknown> | null | undefined;
  if (typeof stats === 'object' && stats !== null && LOSS_KEYS.every((k) => isWithin(stats[k], MAX_ABS_GRADIENT))) return null;
  return `stats must hold finite numbers within ±${MAX_ABS_GRADIENT}: ${LOSS_KEYS.join(', ')}`;
}
