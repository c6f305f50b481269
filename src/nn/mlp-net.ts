import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { createDense, dense, type DenseParams } from './layers.js';
import { createLstm, lstmSequence, lstmVariables, type LstmParams } from './lstm.js';
import { checkPositiveIntegers, missingRecurrentInput, type ActorCriticNet, type ActorCriticOutput, type GaussianHeadSpec, type MlpSpec, type RecurrentInput } from './net-spec.js';
import { ParameterList } from './parameter-list.js';

/**
 * Added to the state-dependent head's softplus variance: keeps log sigma finite (sigma >= 1e-3)
 * where softplus underflows.
 */
export const MIN_VARIANCE = 1e-6;

/** The Gaussian head's standard deviation: one learned log sigma per dimension, or a softplus layer. */
type StdParams = { kind: 'state-independent'; logStd: tf.Variable } | { kind: 'state-dependent'; layer: DenseParams };

/**
 * The reference MlpA2C: ReLU hidden layers shared by a linear policy head and a linear value head.
 * With a Gaussian head (`spec.gaussian`) the policy head gives the mean, and the standard
 * deviation comes from a learned log sigma `[actDim]` or a softplus layer (see StdParameterization).
 * With `spec.lstmCells`, an LSTM (lstm.ts) sits between the hidden layers and the heads.
 * Variables: each hidden layer's weight and bias, then the LSTM's kernel, recurrent kernel and
 * bias, then the policy head's, then the log sigma vector or the softplus layer's weight and bias
 * (Gaussian only), then the value head's.
 */
export class MlpNet extends ParameterList implements ActorCriticNet {
  readonly lstmCells: number;
  private readonly hidden: DenseParams[];
  private readonly lstm: LstmParams | null;
  private readonly policy: DenseParams;
  private readonly std: StdParams | null;
  private readonly valueHead: DenseParams;

  constructor(readonly spec: MlpSpec, seed: number) {
    const lstmCells = spec.lstmCells ?? 0;
    checkPositiveIntegers('mlp obsSize, numActions, hidden sizes and lstmCells', [spec.obsSize, spec.numActions, ...spec.hidden, ...(lstmCells > 0 ? [lstmCells] : [])]);
    const rng = new Rng(seed);
    const sizes = [spec.obsSize, ...spec.hidden];
    const hidden = spec.hidden.map((units, i) => createDense(sizes[i], units, rng));
    const lstm = lstmCells > 0 ? createLstm(sizes[sizes.length - 1], lstmCells, rng) : null;
    const bodySize = lstm === null ? sizes[sizes.length - 1] : lstmCells;
    const policy = createDense(bodySize, spec.numActions, rng);
    const std = spec.gaussian === undefined ? null : createStd(spec.gaussian, bodySize, spec.numActions, rng);
    const valueHead = createDense(bodySize, 1, rng);
    const stdVariables = std === null ? [] : std.kind === 'state-independent' ? [std.logStd] : [std.layer.weight, std.layer.bias];
    super([
      ...hidden.flatMap((layer) => [layer.weight, layer.bias]),
      ...(lstm === null ? [] : lstmVariables(lstm)),
      policy.weight,
      policy.bias,
      ...stdVariables,
      valueHead.weight,
      valueHead.bias,
    ]);
    this.lstmCells = lstmCells;
    this.hidden = hidden;
    this.lstm = lstm;
    this.policy = policy;
    this.std = std;
    this.valueHead = valueHead;
  }

  /** obs: [batch, obsSize]; `recurrent` for an LSTM net (ActorCriticNet.forward). */
  forward(obs: tf.Tensor, recurrent?: RecurrentInput): ActorCriticOutput {
    if (obs.rank !== 2 || obs.shape[1] !== this.spec.obsSize) {
      throw new Error(`mlp forward: expected observations [batch, ${this.spec.obsSize}]; got [${obs.shape.join(', ')}]`);
    }
    if (this.lstm !== null && recurrent === undefined) throw missingRecurrentInput('mlp');
    return tf.tidy(() => {
      let h = obs.toFloat() as tf.Tensor2D;
      for (const layer of this.hidden) h = dense(h, layer, 'relu');
      let state: tf.Tensor2D | undefined;
      if (this.lstm !== null) ({ output: h, state } = lstmSequence(h, this.lstm, recurrent!));
      const head = dense(h, this.policy, 'linear');
      const value = tf.reshape(dense(h, this.valueHead, 'linear'), [obs.shape[0]]) as tf.Tensor1D;
      const recurrentState = state === undefined ? {} : { state };
      const std = this.std;
      if (std === null) return { logits: head, value, ...recurrentState };
      const logStd: tf.Tensor2D =
        std.kind === 'state-independent'
          ? tf.add(tf.zerosLike(head), std.logStd)
          : tf.mul(0.5, tf.log(tf.add(tf.softplus(dense(h, std.layer, 'linear')), MIN_VARIANCE)));
      return { mean: head, logStd, value, ...recurrentState };
    });
  }
}

/**
 * The standard deviation's parameters, starting at sigma = exp(logStdInit): the log sigma vector
 * filled with it, or a softplus layer whose bias is softplus^-1(sigma^2 - MIN_VARIANCE) (its
 * weights start as PyTorch's Linear does, so sigma varies a little across states from the start).
 */
function createStd(head: GaussianHeadSpec, bodySize: number, actDim: number, rng: Rng): StdParams {
  if (!Number.isFinite(head.logStdInit)) throw new Error(`mlp gaussian logStdInit must be a finite number; got ${head.logStdInit}`);
  if (head.std === 'state-independent') return { kind: head.std, logStd: tf.tidy(() => tf.variable(tf.fill([actDim], head.logStdInit))) };
  if (head.std !== 'state-dependent') throw new Error(`mlp gaussian std must be "state-independent" or "state-dependent"; got ${JSON.stringify(head.std)}`);
  const layer = createDense(bodySize, actDim, rng);
  const variance = Math.max(Math.exp(2 * head.logStdInit) - MIN_VARIANCE, MIN_VARIANCE);
  // softplus^-1(v) = log(e^v - 1) = v + log(1 - e^-v), the second form exact for large v.
  const bias = variance + Math.log(-Math.expm1(-variance));
  tf.tidy(() => layer.bias.assign(tf.fill([actDim], bias)));
  return { kind: head.std, layer };
}
