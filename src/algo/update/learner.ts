import * as tf from '@tensorflow/tfjs';
import type { ActorCriticNet, RecurrentInput } from '../../nn/networks.js';
import { flatGradients, clipGradNorm } from '../../nn/gradients.js';
import { Adam, RmsProp, type Optimizer } from '../../nn/optimizers.js';
import type { TrainConfig } from '../config/config.js';
import { actorCriticLoss, type LossCoefs, type LossStats } from './loss.js';
import { scheduledLr } from './lr-schedule.js';
import { obsTensor } from '../rollout/policy.js';
import type { TransitionArrays } from '../rollout/transition-batch.js';

export interface GradientResult {
  grads: Float32Array;
  stats: LossStats;
}

/** The batch's actions as the loss takes them: `[size]` int32 indices, or `[size, actDim]` float32 Gaussian samples. */
function actionsTensor(batch: TransitionArrays): tf.Tensor {
  const { actions, size } = batch;
  return actions instanceof Int32Array ? tf.tensor1d(actions, 'int32') : tf.tensor2d(actions, [size, actions.length / size]);
}

/**
 * A recurrent net's input for `batch`: its rollouts' initial LSTM states, episode starts and steps
 * (sequences.ts); undefined for a feed-forward net.
 * @throws Error when a recurrent net's batch has no sequence layout or episode starts.
 */
function recurrentInputOf(net: ActorCriticNet, batch: TransitionArrays): RecurrentInput | undefined {
  if (net.lstmCells === 0) return undefined;
  const { sequences, episodeStarts } = batch;
  if (sequences === undefined || episodeStarts === undefined) throw new Error('a recurrent network trains on forward-view rollouts with their sequence layout and episode starts');
  const width = 2 * net.lstmCells;
  return {
    state: tf.tensor2d(sequences.initialState, [sequences.initialState.length / width, width]),
    episodeStarts: tf.tensor1d(Float32Array.from(episodeStarts)),
    steps: sequences.steps,
  };
}

/**
 * Gradients of the actor-critic loss (loss.ts) on `batch` (`obs` `[size, ...obsShape]`), flat in
 * the net's parameter order, with the loss terms as numbers.
 */
export function lossGradients(net: ActorCriticNet, batch: TransitionArrays, obsShape: readonly number[], coefs: LossCoefs): GradientResult {
  let stats: LossStats | undefined;
  const grads = flatGradients(net, () => {
    const out = net.forward(obsTensor(batch.obs, batch.size, obsShape), recurrentInputOf(net, batch));
    const terms = actorCriticLoss(out, actionsTensor(batch), tf.tensor1d(batch.valueTargets), coefs);
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
  /** The learning rate of the step (lrSchedule). */
  lr: number;
  /** Transitions behind this update. */
  samples: number;
}

/** The optimiser's settings in the run's config. */
type OptimizerOptions = Pick<TrainConfig, 'optimizer' | 'lr' | 'adamEps' | 'rmspropAlpha' | 'rmspropEps'>;

/** What the learner takes from the run's config: the optimiser's settings, the clip and the lr schedule. */
export type LearnerOptions = OptimizerOptions & Pick<TrainConfig, 'lrSchedule' | 'maxSteps' | 'maxGradNorm'>;

/** The trainer's optimiser `config.optimizer` over `numParams` parameters, with its own statistics. */
export function createOptimizer(config: OptimizerOptions, numParams: number): Optimizer {
  return config.optimizer === 'rmsprop'
    ? new RmsProp(numParams, { lr: config.lr, alpha: config.rmspropAlpha, eps: config.rmspropEps })
    : new Adam(numParams, { lr: config.lr, eps: config.adamEps });
}

export class NonFiniteUpdateError extends Error {
  override name = 'NonFiniteUpdateError';
}

/**
 * Clips `grads` in place to global norm `maxGradNorm` and returns the norm before clipping.
 * @throws NonFiniteUpdateError when the loss or the gradient norm is not finite, naming update
 *   `update` and the loss terms: a NaN is never clipped away.
 */
export function clipFinite(grads: Float32Array, stats: LossStats, maxGradNorm: number, update: number): number {
  const gradNorm = clipGradNorm(grads, maxGradNorm);
  if (!Number.isFinite(gradNorm) || !Number.isFinite(stats.total)) {
    throw new NonFiniteUpdateError(
      `update ${update}: non-finite ${Number.isFinite(gradNorm) ? 'loss' : 'gradient norm'} ` +
        `(loss ${stats.total}, policy ${stats.policy}, value ${stats.value}, entropy ${stats.entropy}, grad norm ${gradNorm})`,
    );
  }
  return gradNorm;
}

/**
 * Owns the trained parameters and the optimiser: sets its learning rate by the schedule, clips a
 * gradient by global norm, steps, and publishes the result (to the agents' transport). Its own
 * network is brought up to date lazily, when `train` needs it: in grad mode it only ever steps on
 * the agents' gradients.
 */
export class Learner {
  readonly params: Float32Array;
  readonly optimizer: Optimizer;
  private netStale = false;
  private publish: (params: Float32Array) => void = () => {};

  /** `optimizer`: `options.optimizer` (createOptimizer) unless another is given (hogwild's shared RMSProp). */
  constructor(
    private readonly network: ActorCriticNet,
    private readonly options: LearnerOptions,
    optimizer?: Optimizer,
  ) {
    this.params = network.getParams();
    this.optimizer = optimizer ?? createOptimizer(options, this.params.length);
  }

  /** The learner's network, holding `params`. */
  get net(): ActorCriticNet {
    if (this.netStale) {
      this.network.setParams(this.params);
      this.netStale = false;
    }
    return this.network;
  }

  /** Replaces the parameters (a checkpoint's) without publishing them. */
  load(params: Float32Array): void {
    this.params.set(params);
    this.netStale = true;
  }

  /** Where each new parameter vector goes after a step (the agents' transport). */
  onPublish(publish: (params: Float32Array) => void): void {
    this.publish = publish;
  }

  /**
   * Sets the optimiser's learning rate for the steps to come from the run's env steps so far, a
   * resumed run's earlier ones included (`options.lrSchedule`, lr-schedule.ts).
   */
  scheduleLr(envSteps: number): void {
    this.optimizer.lr = scheduledLr(this.options, envSteps);
  }

  /**
   * Steps on a gradient (summed over agents in grad mode), flat in the net's parameter order;
   * `grads` is clipped in place.
   * @throws NonFiniteUpdateError when the loss or the gradient norm is not finite, naming the
   *   update and the loss terms: a NaN is never clipped away.
   */
  apply(grads: Float32Array, stats: LossStats, samples: number): UpdateStats {
    const gradNorm = clipFinite(grads, stats, this.options.maxGradNorm, this.optimizer.state().step + 1);
    this.optimizer.step(this.params, grads);
    this.netStale = true;
    this.publish(this.params);
    return { ...stats, gradNorm, lr: this.optimizer.lr, samples };
  }

  /** data and a2c modes: the learner computes the gradient of the loss on `batch` itself. */
  train(batch: TransitionArrays, obsShape: readonly number[], coefs: LossCoefs): UpdateStats {
    const { grads, stats } = lossGradients(this.net, batch, obsShape, coefs);
    return this.apply(grads, stats, batch.size);
  }
}
