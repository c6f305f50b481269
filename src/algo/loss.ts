import * as tf from '@tensorflow/tfjs';

/** Identity whose gradient is zero: tfjs has no stop_gradient. */
const detach = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(x: T) => T;

/** The terms of the actor-critic loss, each a scalar tensor. */
export type LossTerms = {
  /** policy + value - entCoef * entropy: what the gradients are taken of. */
  total: tf.Scalar;
  /** -mean(A * log pi(a|s)), with the advantage A = target - V(s) detached. */
  policy: tf.Scalar;
  /** mean((target - V(s))^2). */
  value: tf.Scalar;
  /** mean policy entropy -sum pi log pi. */
  entropy: tf.Scalar;
  advantageMean: tf.Scalar;
  valueMean: tf.Scalar;
};

/**
 * The A3C loss of Mnih et al. 2016 as Lapan's Chapter 13 writes it: value MSE + policy gradient
 * with a detached advantage + an entropy bonus weighted by `entCoef` (ENTROPY_BETA).
 * Shapes: logits `[batch, numActions]`, values, actions, valueTargets `[batch]`.
 */
export function actorCriticLoss(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  actions: tf.Tensor1D,
  valueTargets: tf.Tensor1D,
  entCoef: number,
): LossTerms {
  const numActions = logits.shape[1];
  const logProbs = tf.logSoftmax(logits);
  const value = tf.losses.meanSquaredError(valueTargets, values) as tf.Scalar;
  const advantages = tf.sub(valueTargets, detach(values));
  const logProbTaken = tf.sum(tf.mul(logProbs, tf.oneHot(actions, numActions)), 1);
  const policy = tf.neg(tf.mean(tf.mul(advantages, logProbTaken))) as tf.Scalar;
  const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1))) as tf.Scalar;
  const total = tf.sub(tf.add(policy, value), tf.mul(entCoef, entropy)) as tf.Scalar;
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
