/**
 * The LSTM layer of the A3C paper's recurrent agents (Mnih et al. 2016, sec. 5.1: "256 LSTM cells
 * after the final hidden layer"), run over rollouts of consecutive steps with truncated
 * backpropagation through time: the gradient flows through the steps of one rollout, and the state
 * it starts from is a constant.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../utils/rng.js';
import { torchDefaultVariable } from './layers.js';
import type { RecurrentInput } from './net-spec.js';

/** PyTorch's nn.LSTM gates, in its order: input, forget, cell candidate, output. */
const GATES = 4;

export interface LstmParams {
  /** [inSize, 4 cells]: the input's weights of the gates i, f, g, o side by side. */
  kernel: tf.Variable;
  /** [cells, 4 cells]: the previous output's weights of the gates. */
  recurrentKernel: tf.Variable;
  /** [4 cells]: one bias per gate unit (PyTorch's b_ih + b_hh). */
  bias: tf.Variable;
  cells: number;
}

/** Weights and biases U(-1/sqrt(cells), 1/sqrt(cells)), PyTorch's nn.LSTM initialisation. */
export function createLstm(inSize: number, cells: number, rng: Rng): LstmParams {
  return {
    kernel: torchDefaultVariable([inSize, GATES * cells], cells, rng),
    recurrentKernel: torchDefaultVariable([cells, GATES * cells], cells, rng),
    bias: torchDefaultVariable([GATES * cells], cells, rng),
    cells,
  };
}

/** The variables of `lstm` in parameter order. */
export function lstmVariables(lstm: LstmParams): tf.Variable[] {
  return [lstm.kernel, lstm.recurrentKernel, lstm.bias];
}

/**
 * Runs the LSTM over `x` `[steps * S, inSize]` (time-major, RecurrentInput) and returns its output
 * h `[steps * S, cells]` and the state after the last step `[S, 2 cells]` (h, then c):
 * i, f, g, o = x W + h U + b; c = sigmoid(f) c + sigmoid(i) tanh(g); h = sigmoid(o) tanh(c).
 * @throws Error when the rows are not `steps` times the state's sequences.
 */
export function lstmSequence(x: tf.Tensor2D, lstm: LstmParams, recurrent: RecurrentInput): { output: tf.Tensor2D; state: tf.Tensor2D } {
  const { cells } = lstm;
  const { steps, state } = recurrent;
  const sequences = state.shape[0];
  if (state.shape[1] !== 2 * cells) throw new Error(`lstm: state is [${state.shape.join(', ')}]; expected [sequences, ${2 * cells}]`);
  if (!Number.isInteger(steps) || steps < 1 || x.shape[0] !== steps * sequences || recurrent.episodeStarts.shape[0] !== x.shape[0]) {
    throw new Error(`lstm: ${x.shape[0]} rows and ${recurrent.episodeStarts.shape[0]} episode-start flags are not ${steps} steps of ${sequences} sequences`);
  }
  return tf.tidy(() => {
    // The input's contribution to every gate at every step in one product.
    const inputGates = tf.add(tf.matMul(x, lstm.kernel as tf.Tensor2D), lstm.bias);
    const keep = tf.reshape(tf.sub(1, recurrent.episodeStarts), [steps, sequences, 1]);
    let h = tf.slice(state, [0, 0], [sequences, cells]);
    let c = tf.slice(state, [0, cells], [sequences, cells]);
    const outputs: tf.Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      const mask = tf.reshape(tf.slice(keep, [t, 0, 0], [1, sequences, 1]), [sequences, 1]);
      h = tf.mul(h, mask);
      c = tf.mul(c, mask);
      const gates = tf.add(tf.slice(inputGates, [t * sequences, 0], [sequences, GATES * cells]), tf.matMul(h, lstm.recurrentKernel as tf.Tensor2D));
      const [i, f, g, o] = tf.split(gates, GATES, 1);
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
      outputs.push(h as tf.Tensor2D);
    }
    return { output: tf.concat(outputs, 0) as tf.Tensor2D, state: tf.concat([h, c], 1) as tf.Tensor2D };
  });
}
