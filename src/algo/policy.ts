import * as tf from '@tensorflow/tfjs';
import type { Obs } from '../envs/core.js';
import type { Box, Discrete } from '../envs/spaces.js';
import type { Rng } from '../utils/rng.js';
import type { ActorCriticNet, NetSpec } from '../nn/networks.js';
import type { ActingPolicy, PolicyStep } from './n-step.js';

/** A batch of observations `[count, ...obsShape]` as the float32 tensor networks take. */
export function obsTensor(obs: Obs, count: number, obsShape: readonly number[]): tf.Tensor {
  const values = obs instanceof Float32Array ? obs : Float32Array.from(obs);
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

/** Samples actions from the network's softmax policy (ptan's PolicyAgent); greedy for evaluation. */
export class NetPolicy implements ActingPolicy {
  constructor(
    private readonly net: ActorCriticNet,
    private readonly obsShape: readonly number[],
    private readonly numActions: number,
    private readonly rng: Rng,
    private readonly greedy = false,
  ) {}

  act(obs: Obs, count: number): PolicyStep {
    const [logitsT, valuesT] = tf.tidy(() => {
      const out = this.net.forward(obsTensor(obs, count, this.obsShape));
      return [out.logits, out.value];
    });
    const logits = logitsT.dataSync() as Float32Array;
    const values = valuesT.dataSync() as Float32Array;
    logitsT.dispose();
    valuesT.dispose();
    const actions = new Int32Array(count);
    const n = this.numActions;
    for (let i = 0; i < count; i++) {
      actions[i] = this.greedy ? argmax(logits, i * n, n) : sampleSoftmax(logits, i * n, n, this.rng.random());
    }
    return { actions, values };
  }

  values(obs: Obs, count: number): Float32Array {
    const valuesT = tf.tidy(() => this.net.forward(obsTensor(obs, count, this.obsShape)).value);
    const values = valuesT.dataSync() as Float32Array;
    valuesT.dispose();
    return values;
  }
}

/** The network for an env's spaces: Lapan's Atari net for stacked uint8 frames, an MLP otherwise. */
export function netSpecFor(observationSpace: Box, actionSpace: Discrete, hidden: number[]): NetSpec {
  const shape = observationSpace.shape;
  if (shape.length === 3 && observationSpace.dtype === 'uint8') {
    return { kind: 'atari', inputShape: [shape[0], shape[1], shape[2]], numActions: actionSpace.n };
  }
  if (shape.length !== 1) throw new Error(`no network for observations of shape [${shape.join(', ')}]; expected a vector or uint8 frames [C, H, W]`);
  return { kind: 'mlp', obsSize: shape[0], numActions: actionSpace.n, hidden };
}

/** One observation's shape as the network `spec` takes it: `[obsSize]` or `[C, H, W]`. */
export function obsShapeOf(spec: NetSpec): readonly number[] {
  return spec.kind === 'atari' ? spec.inputShape : [spec.obsSize];
}
