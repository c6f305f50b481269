/**
 * Log-probabilities and entropies of the policy distributions, as tensors on the gradient tape:
 * the categorical over discrete actions and the diagonal Gaussian over continuous ones
 * (Stable-Baselines3's `common/distributions.py`: `CategoricalDistribution`,
 * `DiagGaussianDistribution`).
 */
import * as tf from '@tensorflow/tfjs';

/** log(2 pi) / 2: the normalising constant of a unit Gaussian, per dimension. */
export const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log pi(a | s) of the taken actions under softmax(logits).
 * Shapes: logits `[batch, numActions]`, actions `[batch]` int32 -> `[batch]`.
 */
export function categoricalLogProb(logits: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(actions, logits.shape[1])), 1));
}

/** -sum_a pi(a) log pi(a). Shapes: logits `[batch, numActions]` -> `[batch]`. */
export function categoricalEntropy(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)) as tf.Tensor1D;
  });
}

/**
 * log N(a; mean, diag(exp(logStd)^2)) summed over the action's dimensions:
 * sum_i -((a_i - mean_i) / sigma_i)^2 / 2 - log sigma_i - log(2 pi) / 2.
 * Shapes: mean, logStd, actions `[batch, actDim]` -> `[batch]`.
 */
export function gaussianLogProb(mean: tf.Tensor2D, logStd: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.mul(tf.sub(actions, mean), tf.exp(tf.neg(logStd)));
    const perDim = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(logStd, HALF_LOG_TWO_PI));
    return tf.sum(perDim, 1);
  });
}

/** Entropy of the diagonal Gaussian: sum_i log sigma_i + (1 + log 2 pi) / 2. Shapes: logStd `[batch, actDim]` -> `[batch]`. */
export function gaussianEntropy(logStd: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.add(logStd, 0.5 + HALF_LOG_TWO_PI), 1));
}
