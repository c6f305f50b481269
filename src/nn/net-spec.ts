/** Serialisable descriptions of the actor-critic networks and the interface they implement. */
import type * as tf from '@tensorflow/tfjs';

/**
 * How a Gaussian policy's standard deviation is parameterised: 'state-independent', one learned
 * log sigma per action dimension (Stable-Baselines3's `DiagGaussianDistribution`); or
 * 'state-dependent', a softplus head giving sigma^2 for each state (Mnih et al. 2016, the MuJoCo
 * experiments of its supplementary material).
 */
export type StdParameterization = 'state-independent' | 'state-dependent';

/** A diagonal Gaussian policy head for Box actions. */
export interface GaussianHeadSpec {
  std: StdParameterization;
  /** log sigma at initialisation (SB3's `log_std_init`). */
  logStdInit: number;
}

/** The reference MlpA2C: vector observations, ReLU hidden layers (128 units in the reference). */
export interface MlpSpec {
  kind: 'mlp';
  obsSize: number;
  /** Discrete actions: how many; with a Gaussian head, the action's dimensions. */
  numActions: number;
  /** Units per shared hidden layer, input side first. */
  hidden: number[];
  /** Cells of an LSTM between the hidden layers and the heads (the A3C paper's A3C-LSTM); absent: feed-forward. */
  lstmCells?: number;
  /**
   * A Gaussian head for Box actions; absent, a categorical head over `numActions` actions (as
   * every network saved before continuous actions existed).
   */
  gaussian?: GaussianHeadSpec;
}

/**
 * The convolutional actor-critics for stacked frames (atari-net.ts): 'lapan', Lapan's AtariA2C
 * (the DQN convolutions of Mnih et al. 2015, then a 512-unit hidden layer per head); 'a3c-paper',
 * the network of Mnih et al. 2016 (sec. 8, from Mnih et al. 2013: 16 8x8/4 and 32 4x4/2
 * convolutions, one shared 256-unit layer), about a quarter of the compute and a fifth of the
 * parameters.
 */
export const ATARI_ARCHS = ['lapan', 'a3c-paper'] as const;
export type AtariArch = (typeof ATARI_ARCHS)[number];

/** A convolutional actor-critic for stacked frames, channels first, pixel values 0..255. */
export interface AtariSpec {
  kind: 'atari';
  /** [channels, height, width]: [4, 84, 84] for the DQN wrappers. */
  inputShape: [number, number, number];
  numActions: number;
  /** Absent: 'lapan' (every network saved before the choice existed). */
  arch?: AtariArch;
  /** Cells of an LSTM after the shared hidden layer ('a3c-paper' only: Mnih et al. 2016's A3C-LSTM, 256 cells); absent: feed-forward. */
  lstmCells?: number;
}

export type NetSpec = MlpSpec | AtariSpec;

/**
 * What a recurrent net needs besides the observations: the rows are `steps` consecutive steps of
 * `S` sequences, time-major (row t * S + i is step t of sequence i).
 */
export type RecurrentInput = {
  /** [S, 2 cells]: each sequence's LSTM state (h, then c) before its first row. */
  state: tf.Tensor2D;
  /** [steps * S]: 1 where the row's observation begins an episode (the state is reset to zeros there), else 0. */
  episodeStarts: tf.Tensor1D;
  steps: number;
};

/** Type aliases, not interfaces, so that they are tf.TensorContainers that tf.tidy can return. */
export type CategoricalOutput = {
  /** [batch, numActions] unnormalised log-probabilities. */
  logits: tf.Tensor2D;
  /** [batch] state values. */
  value: tf.Tensor1D;
  /** Recurrent nets: [S, 2 cells], the LSTM state after the last step. */
  state?: tf.Tensor2D;
};

export type GaussianOutput = {
  /** [batch, actDim] means of the unclipped actions. */
  mean: tf.Tensor2D;
  /** [batch, actDim] log standard deviations (the same row for every state when state-independent). */
  logStd: tf.Tensor2D;
  /** [batch] state values. */
  value: tf.Tensor1D;
  /** Recurrent nets: [S, 2 cells], the LSTM state after the last step. */
  state?: tf.Tensor2D;
};

export type ActorCriticOutput = CategoricalOutput | GaussianOutput;

/** True for the output of a Gaussian head. */
export function isGaussianOutput(out: ActorCriticOutput): out is GaussianOutput {
  return 'mean' in out;
}

export interface ActorCriticNet {
  readonly spec: NetSpec;
  /** Trainable variables in a fixed order, the order of getParams. */
  readonly variables: tf.Variable[];
  readonly numParams: number;
  /** Cells of the net's LSTM; 0 for a feed-forward net. */
  readonly lstmCells: number;
  /**
   * obs: [batch, obsSize] for MLPs, [batch, ...inputShape] for the Atari net; a Gaussian output
   * when `spec.gaussian` is set. A recurrent net (lstmCells > 0) needs `recurrent` (its rows
   * time-major) and returns the state after the last step; a feed-forward net ignores it.
   * @throws Error for a recurrent net called without `recurrent`.
   */
  forward(obs: tf.Tensor, recurrent?: RecurrentInput): ActorCriticOutput;
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

/** A recurrent net's forward pass needs the LSTM state. */
export function missingRecurrentInput(kind: string): Error {
  return new Error(`${kind} forward: a recurrent net (lstmCells) needs its LSTM state and episode starts`);
}
