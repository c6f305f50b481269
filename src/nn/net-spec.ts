/** Serialisable descriptions of the actor-critic networks and the interface they implement. */
import type * as tf from '@tensorflow/tfjs';

/** The reference MlpA2C: vector observations, ReLU hidden layers (128 units in the reference). */
export interface MlpSpec {
  kind: 'mlp';
  obsSize: number;
  numActions: number;
  /** Units per shared hidden layer, input side first. */
  hidden: number[];
}

/** Lapan's AtariA2C: stacked frames, channels first, pixel values 0..255. */
export interface AtariSpec {
  kind: 'atari';
  /** [channels, height, width]: [4, 84, 84] for the DQN wrappers. */
  inputShape: [number, number, number];
  numActions: number;
}

export type NetSpec = MlpSpec | AtariSpec;

/** A type alias, not an interface, so that it is a tf.TensorContainer that tf.tidy can return. */
export type ActorCriticOutput = {
  /** [batch, numActions] unnormalised log-probabilities. */
  logits: tf.Tensor2D;
  /** [batch] state values. */
  value: tf.Tensor1D;
};

export interface ActorCriticNet {
  readonly spec: NetSpec;
  /** Trainable variables in a fixed order, the order of getParams. */
  readonly variables: tf.Variable[];
  readonly numParams: number;
  /** obs: [batch, obsSize] for MLPs, [batch, ...inputShape] for the Atari net. */
  forward(obs: tf.Tensor): ActorCriticOutput;
  /** Every parameter in one flat array, variable after variable. */
  getParams(out?: Float32Array): Float32Array;
  setParams(flat: Float32Array): void;
  dispose(): void;
}

/** Throws unless every entry of `values` (named in `what`) is a positive integer. */
export function checkPositiveIntegers(what: string, values: readonly number[]): void {
  if (!values.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${what} must be positive integers; got [${values.join(', ')}]`);
  }
}
