import * as tf from '@tensorflow/tfjs';
import type { Obs } from '../../envs/core.js';
import type { Box, Discrete } from '../../envs/spaces.js';
import type { Rng } from '../../utils/rng.js';
import { isGaussianOutput, type ActorCriticNet, type NetSpec } from '../../nn/networks.js';
import type { TrainConfig } from '../config/config.js';
import type { ActingPolicy, PolicyStep } from './collector.js';
import type { ActionLayout } from './transition-batch.js';

/** A batch of observations `[count, ...obsShape]` as the float32 tensor networks take. */
export function obsTensor(obs: Obs, count: number, obsShape: readonly number[]): tf.Tensor {
  // The typed-array constructor converts natively; Float32Array.from iterates (5x slower on a
  // 128-frame Atari batch, where it took a fifth of the data-mode trainer's time).
  const values = obs instanceof Float32Array ? obs : new Float32Array(obs);
  return tf.tensor(values, [count, ...obsShape], 'float32');
}

/** Index drawn from softmax(logits[offset .. offset + n)) by inverse CDF with one uniform number. */
export function sampleSoftmax(logits: Float32Array, offset: number, n: number, u: number): number {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, logits[offset + j]);
  let z = 0;
  for (let j = 0; j < n; j++) z += Math.exp(logits[offset + j] - max);
  let cumulative = 0;
  const target = u * z;
  for (let j = 0; j < n - 1; j++) {
    cumulative += Math.exp(logits[offset + j] - max);
    if (target < cumulative) return j;
  }
  return n - 1;
}

export function argmax(logits: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (logits[offset + j] > logits[offset + best]) best = j;
  return best;
}

/**
 * Acts with the network's policy (ptan's PolicyAgent): samples from the softmax over its logits
 * (inverse CDF of a uniform u), or from its diagonal Gaussian (mean + sigma * eps, unclipped: the
 * collector clips only what the env gets); `greedy` takes the most probable action, the
 * Gaussian's mean (for evaluation).
 *
 * The noise (u ~ U(0, 1) per env copy, eps ~ N(0, I) per action number) is drawn anew every
 * `noiseHoldSteps` calls of `act` and held in between (1: every step, the plain policy). Held
 * noise explores with persistent pushes where i.i.d. noise averages out, as gSDE's
 * `sde_sample_freq` in Stable-Baselines3 (Raffin et al. 2021): random episodes of
 * MountainCarContinuous-v0 reach the goal 5 times in 200 with N(0, 1) actions and 188 times with
 * the noise held for 16 steps; of MountainCar-v0 never with uniform actions and 9 times with
 * them held for 16 steps (bench/continuous-suite.ts). Each action is still distributed as
 * pi(.|s) given its state, the density the loss uses.
 */
export class NetPolicy implements ActingPolicy {
  private noise = new Float64Array(0);
  private calls = 0;
  /** A recurrent net's LSTM state `[count, 2 cells]` after the last `act`, zeros before the first. */
  private state: Float32Array = new Float32Array(0);

  constructor(
    private readonly net: ActorCriticNet,
    private readonly obsShape: readonly number[],
    private readonly rng: Rng,
    private readonly greedy = false,
    private readonly noiseHoldSteps = 1,
  ) {
    if (!Number.isInteger(noiseHoldSteps) || noiseHoldSteps < 1) throw new Error(`NetPolicy: noiseHoldSteps must be a positive integer, got ${noiseHoldSteps}`);
  }

  /**
   * Actions `[count]` (discrete) or `[count, actDim]` (Gaussian) and values `[count]` for
   * observations `[count, ...obsShape]`. A recurrent net steps its LSTM state, reset to zeros for
   * the copies whose `episodeStarts` entry is 1 (their observation is the first of an episode).
   */
  act(obs: Obs, count: number, episodeStarts?: ArrayLike<number>): PolicyStep {
    const cells = this.net.lstmCells;
    if (cells > 0 && this.state.length !== count * 2 * cells) this.state = new Float32Array(count * 2 * cells);
    const outputs = tf.tidy(() => {
      const out = this.net.forward(obsTensor(obs, count, this.obsShape), this.recurrentInput(count, episodeStarts));
      const tensors = isGaussianOutput(out) ? [out.value, out.mean, out.logStd] : [out.value, out.logits];
      return out.state === undefined ? tensors : [...tensors, out.state];
    });
    if (cells > 0) this.state = outputs.pop()!.dataSync() as Float32Array;
    const [values, head, logStd] = outputs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outputs);
    const n = this.net.spec.numActions;
    if (logStd !== undefined) {
      if (this.greedy) return { actions: head, values };
      const eps = this.heldNoise(head.length, () => this.rng.normal());
      return { actions: head.map((m, k) => m + Math.exp(logStd[k]) * eps[k]), values };
    }
    const actions = new Int32Array(count);
    const u = this.greedy ? null : this.heldNoise(count, () => this.rng.random());
    for (let i = 0; i < count; i++) actions[i] = u === null ? argmax(head, i * n, n) : sampleSoftmax(head, i * n, n, u[i]);
    return { actions, values };
  }

  /** `size` draws of `draw`, the same as the previous call's until `noiseHoldSteps` calls have used them. */
  private heldNoise(size: number, draw: () => number): Float64Array {
    if (this.noise.length !== size || this.calls % this.noiseHoldSteps === 0) this.noise = Float64Array.from({ length: size }, draw);
    this.calls++;
    return this.noise;
  }

  /** The LSTM state `[count, 2 cells]` the next `act` on `count` copies starts from (a copy; zeros before the first); null for a feed-forward net. */
  recurrentState(count: number): Float32Array | null {
    const width = 2 * this.net.lstmCells;
    if (width === 0) return null;
    return this.state.length === count * width ? this.state.slice() : new Float32Array(count * width);
  }

  /**
   * One step from the LSTM state of each of `count` copies (rows `copies` of the state, all by
   * default), for a recurrent net; undefined for a feed-forward one.
   */
  private recurrentInput(count: number, episodeStarts?: ArrayLike<number>, copies?: readonly number[]) {
    const cells = this.net.lstmCells;
    if (cells === 0) return undefined;
    const width = 2 * cells;
    let state = this.state;
    if (copies !== undefined) {
      state = new Float32Array(copies.length * width);
      copies.forEach((copy, row) => state.set(this.state.subarray(copy * width, (copy + 1) * width), row * width));
    }
    const starts = episodeStarts === undefined ? new Float32Array(count) : Float32Array.from(episodeStarts);
    return { state: tf.tensor2d(state, [count, width]), episodeStarts: tf.tensor1d(starts), steps: 1 };
  }

  /**
   * V of observations `[count, ...obsShape]`, e.g. final observations to bootstrap from. A
   * recurrent net reads them from the current LSTM state of the copies they belong to (`copies`,
   * default all), which stays as it is.
   */
  values(obs: Obs, count: number, copies?: readonly number[]): Float32Array {
    const valuesT = tf.tidy(() => this.net.forward(obsTensor(obs, count, this.obsShape), this.recurrentInput(count, undefined, copies)).value);
    const values = valuesT.dataSync() as Float32Array;
    valuesT.dispose();
    return values;
  }
}

/**
 * The network for an env's spaces: the Atari net `config.atariNet` for stacked uint8 frames and discrete
 * actions, an MLP of `config.hidden` units otherwise, with a Gaussian head for a Box action space
 * (`config.policyStd`, `config.logStdInit`).
 * @throws Error for observations that are neither a vector nor uint8 frames, for Box actions that
 *   are not a vector, or for Box actions with frames.
 */
export function netSpecFor(observationSpace: Box, actionSpace: Discrete | Box, config: Pick<TrainConfig, 'hidden' | 'policyStd' | 'logStdInit' | 'atariNet' | 'policy' | 'lstmCells'>): NetSpec {
  const { hidden } = config;
  const shape = observationSpace.shape;
  // Absent for feed-forward nets, as in every checkpoint saved before recurrent policies existed.
  const lstm = config.policy === 'lstm' ? { lstmCells: config.lstmCells } : {};
  const continuous = actionSpace.kind === 'box';
  if (continuous && actionSpace.shape.length !== 1) throw new Error(`no policy for actions of shape [${actionSpace.shape.join(', ')}] (${actionSpace}); expected a vector Box`);
  if (shape.length === 3 && observationSpace.dtype === 'uint8') {
    if (continuous) throw new Error(`no network for uint8 frames [${shape.join(', ')}] with ${actionSpace} actions; the Atari net has a discrete head`);
    // 'lapan' stays implicit, as in every checkpoint saved before the choice existed.
    const arch = config.atariNet === 'lapan' ? {} : { arch: config.atariNet };
    return { kind: 'atari', inputShape: [shape[0], shape[1], shape[2]], numActions: actionSpace.n, ...arch, ...lstm };
  }
  if (shape.length !== 1) throw new Error(`no network for observations of shape [${shape.join(', ')}]; expected a vector or uint8 frames [C, H, W]`);
  if (continuous) return { kind: 'mlp', obsSize: shape[0], numActions: actionSpace.size, hidden, ...lstm, gaussian: { std: config.policyStd, logStdInit: config.logStdInit } };
  return { kind: 'mlp', obsSize: shape[0], numActions: actionSpace.n, hidden, ...lstm };
}

/** How transitions of the network `spec` hold their actions: indices of its categorical head, or Gaussian samples. */
export function actionLayoutOf(spec: NetSpec): ActionLayout {
  return spec.kind === 'mlp' && spec.gaussian !== undefined ? { kind: 'box', size: spec.numActions } : { kind: 'discrete', n: spec.numActions };
}

/** One observation's shape as the network `spec` takes it: `[obsSize]` or `[C, H, W]`. */
export function obsShapeOf(spec: NetSpec): readonly number[] {
  return spec.kind === 'atari' ? spec.inputShape : [spec.obsSize];
}
