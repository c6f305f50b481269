import * as tf from '@tensorflow/tfjs';
import type { ActorCriticNet } from '../nn/networks.js';
import { flatGradients, clipGradNorm } from '../nn/gradients.js';
import { Adam } from '../nn/optimizers.js';
import { actorCriticLoss, type LossStats } from './loss.js';
import { obsTensor } from './policy.js';
import type { TransitionArrays } from './transition-batch.js';

export interface GradientResult {
  grads: Float32Array;
  stats: LossStats;
}

/** Gradients of the actor-critic loss on `batch`, flat in the net's parameter order. */
export function lossGradients(net: ActorCriticNet, batch: TransitionArrays, obsShape: readonly number[], entCoef: number): GradientResult {
  let stats: LossStats | undefined;
  const grads = flatGradients(net, () => {
    const out = net.forward(obsTensor(batch.obs, batch.size, obsShape));
    const terms = actorCriticLoss(out.logits, out.value, tf.tensor1d(batch.actions, 'int32'), tf.tensor1d(batch.valueTargets), entCoef);
    stats = {
      total: terms.total.dataSync()[0],
      policy: terms.policy.dataSync()[0],
      value: terms.value.dataSync()[0],
      entropy: terms.entropy.dataSync()[0],
      advantageMean: terms.advantageMean.dataSync()[0],
      valueMean: terms.valueMean.dataSync()[0],
    };
    return terms.total;
  });
  return { grads, stats: stats! };
}

export interface UpdateStats extends LossStats {
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Transitions behind this update. */
  samples: number;
}

export interface LearnerOptions {
  lr: number;
  adamEps: number;
  maxGradNorm: number;
}

export class NonFiniteUpdateError extends Error {
  override name = 'NonFiniteUpdateError';
}

/**
 * Owns the trained parameters and Adam: clips a gradient by global norm, steps, loads the result
 * into the net and publishes it (to the shared parameter buffer in the parallel modes).
 */
export class Learner {
  readonly params: Float32Array;
  readonly optimizer: Adam;
  updates = 0;
  private publish: (params: Float32Array) => void = () => {};

  constructor(
    readonly net: ActorCriticNet,
    private readonly options: LearnerOptions,
  ) {
    this.params = net.getParams();
    this.optimizer = new Adam(this.params.length, { lr: options.lr, eps: options.adamEps });
  }

  /** Where each new parameter vector goes after a step (the agents' shared buffer). */
  onPublish(publish: (params: Float32Array) => void): void {
    this.publish = publish;
  }

  /** Steps on a gradient (summed over agents in grad mode); `grads` is clipped in place. */
  apply(grads: Float32Array, stats: LossStats, samples: number): UpdateStats {
    const gradNorm = clipGradNorm(grads, this.options.maxGradNorm);
    if (!Number.isFinite(gradNorm) || !Number.isFinite(stats.total)) {
      throw new NonFiniteUpdateError(
        `update ${this.updates + 1}: non-finite ${Number.isFinite(gradNorm) ? 'loss' : 'gradient norm'} ` +
          `(loss ${stats.total}, policy ${stats.policy}, value ${stats.value}, entropy ${stats.entropy}, grad norm ${gradNorm})`,
      );
    }
    this.optimizer.step(this.params, grads);
    this.net.setParams(this.params);
    this.publish(this.params);
    this.updates++;
    return { ...stats, gradNorm, samples };
  }

  /** data and a2c modes: the learner computes the gradient itself. */
  train(batch: TransitionArrays, obsShape: readonly number[], entCoef: number): UpdateStats {
    const { grads, stats } = lossGradients(this.net, batch, obsShape, entCoef);
    return this.apply(grads, stats, batch.size);
  }
}
