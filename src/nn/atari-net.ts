import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { convOutputSize, conv2d, createConv2d, createDense, dense, type Conv2dParams, type DenseParams } from './layers.js';
import { createLstm, lstmSequence, lstmVariables, type LstmParams } from './lstm.js';
import { checkPositiveIntegers, missingRecurrentInput, type ActorCriticNet, type AtariArch, type CategoricalOutput, type AtariSpec, type RecurrentInput } from './net-spec.js';
import { ParameterList } from './parameter-list.js';

interface ConvLayer {
  channels: number;
  kernel: number;
  stride: number;
}

interface Architecture {
  convs: readonly ConvLayer[];
  /** Units of the hidden layer before the policy and value outputs. */
  hiddenUnits: number;
  /** True: policy and value share one hidden layer; false: each head has its own. */
  sharedHidden: boolean;
}

const ARCHITECTURES: Readonly<Record<AtariArch, Architecture>> = {
  // Lapan's AtariA2C (Deep RL Hands-On, ch. 12-13), after the DQN convolutions of Mnih et al. 2015.
  lapan: {
    convs: [
      { channels: 32, kernel: 8, stride: 4 },
      { channels: 64, kernel: 4, stride: 2 },
      { channels: 64, kernel: 3, stride: 1 },
    ],
    hiddenUnits: 512,
    sharedHidden: false,
  },
  // Mnih et al. 2016, sec. 8: the network of Mnih et al. 2013, policy and value over one 256-unit layer.
  'a3c-paper': {
    convs: [
      { channels: 16, kernel: 8, stride: 4 },
      { channels: 32, kernel: 4, stride: 2 },
    ],
    hiddenUnits: 256,
    sharedHidden: true,
  },
};
/** The reference scales uint8 pixels by x / 256, not 255. */
const PIXEL_SCALE = 1 / 256;
/** [batch, c, h, w] -> [batch, h, w, c]: tfjs's wasm convolutions are channels-last only. */
const CHANNELS_LAST = [0, 2, 3, 1];

/**
 * ReLU convolutions on frames scaled to [0, 1), flattened, then ReLU hidden layers and linear
 * outputs: policy logits and value (`spec.arch`, ARCHITECTURES). Variables: the convolutions
 * (filter, bias), then for 'lapan' policy (fc1, fc2) and value (fc1, fc2), for 'a3c-paper' the
 * shared layer, (with `spec.lstmCells`, 'a3c-paper' only: an LSTM's kernel, recurrent kernel and
 * bias, Mnih et al. 2016's A3C-LSTM), policy and value; weight before bias, PyTorch's parameter
 * order. The flatten is
 * channels-last (h, w, c) where PyTorch's is (c, h, w): a fixed permutation of the first dense
 * layer's rows.
 * @throws Error when the frames are too small for the convolutions, or for an LSTM on 'lapan'.
 */
export class AtariNet extends ParameterList implements ActorCriticNet {
  readonly lstmCells: number;
  private readonly convs: Conv2dParams[];
  private readonly lstm: LstmParams | null;
  /** The shared hidden layer, or null when each head has its own. */
  private readonly shared: DenseParams | null;
  /** Each head's layers, input side first: [hidden, output] or [output]. */
  private readonly policy: DenseParams[];
  private readonly valueHead: DenseParams[];

  constructor(readonly spec: AtariSpec, seed: number) {
    const [channels, height, width] = spec.inputShape;
    checkPositiveIntegers('atari inputShape and numActions', [...spec.inputShape, spec.numActions]);
    const arch = ARCHITECTURES[spec.arch ?? 'lapan'];
    if (arch === undefined) throw new Error(`unknown atari arch "${String(spec.arch)}"; expected one of ${Object.keys(ARCHITECTURES).join(', ')}`);
    let [h, w, c] = [height, width, channels];
    for (const layer of arch.convs) {
      [h, w, c] = [convOutputSize(h, layer.kernel, layer.stride), convOutputSize(w, layer.kernel, layer.stride), layer.channels];
    }
    if (h < 1 || w < 1) {
      throw new Error(`atari inputShape [${spec.inputShape.join(', ')}] is too small for the ${spec.arch ?? 'lapan'} conv stack`);
    }
    const flatSize = h * w * c;
    const rng = new Rng(seed);
    let inChannels = channels;
    const convs = arch.convs.map((layer) => {
      const params = createConv2d(inChannels, layer.channels, layer.kernel, layer.stride, rng);
      inChannels = layer.channels;
      return params;
    });
    const lstmCells = spec.lstmCells ?? 0;
    if (lstmCells !== 0) {
      checkPositiveIntegers('atari lstmCells', [lstmCells]);
      if (!arch.sharedHidden) throw new Error(`atari arch ${spec.arch ?? 'lapan'} has no shared hidden layer to put an LSTM after; use a3c-paper`);
    }
    const units = arch.hiddenUnits;
    const shared = arch.sharedHidden ? createDense(flatSize, units, rng) : null;
    const lstm = lstmCells > 0 ? createLstm(units, lstmCells, rng) : null;
    const headInput = lstm === null ? units : lstmCells;
    const head = (outSize: number): DenseParams[] =>
      shared === null ? [createDense(flatSize, units, rng), createDense(units, outSize, rng)] : [createDense(headInput, outSize, rng)];
    const policy = head(spec.numActions);
    const valueHead = head(1);
    const denseVariables = (layers: DenseParams[]) => layers.flatMap((layer) => [layer.weight, layer.bias]);
    super([
      ...convs.flatMap((conv) => [conv.filter, conv.bias]),
      ...denseVariables(shared === null ? [] : [shared]),
      ...(lstm === null ? [] : lstmVariables(lstm)),
      ...denseVariables([...policy, ...valueHead]),
    ]);
    this.lstmCells = lstmCells;
    this.lstm = lstm;
    this.convs = convs;
    this.shared = shared;
    this.policy = policy;
    this.valueHead = valueHead;
  }

  /** obs: [batch, channels, height, width] of pixel values 0..255, any numeric dtype; `recurrent` for an LSTM net (ActorCriticNet.forward). */
  forward(obs: tf.Tensor, recurrent?: RecurrentInput): CategoricalOutput {
    const expected = this.spec.inputShape;
    if (obs.rank !== 4 || expected.some((d, i) => obs.shape[i + 1] !== d)) {
      throw new Error(`atari forward: expected observations [batch, ${expected.join(', ')}]; got [${obs.shape.join(', ')}]`);
    }
    const batch = obs.shape[0];
    if (this.lstm !== null && recurrent === undefined) throw missingRecurrentInput('atari');
    return tf.tidy(() => {
      let x = tf.mul(tf.transpose(obs.toFloat(), CHANNELS_LAST), PIXEL_SCALE) as tf.Tensor4D;
      for (const conv of this.convs) x = conv2d(x, conv, 'relu');
      let features = tf.reshape(x, [batch, -1]) as tf.Tensor2D;
      if (this.shared !== null) features = dense(features, this.shared, 'relu');
      let state: tf.Tensor2D | undefined;
      if (this.lstm !== null) ({ output: features, state } = lstmSequence(features, this.lstm, recurrent!));
      const logits = applyHead(features, this.policy);
      const value = tf.reshape(applyHead(features, this.valueHead), [batch]) as tf.Tensor1D;
      return state === undefined ? { logits, value } : { logits, value, state };
    });
  }
}

/** ReLU layers, then a linear output layer. */
function applyHead(x: tf.Tensor2D, layers: readonly DenseParams[]): tf.Tensor2D {
  return layers.reduce((h, layer, i) => dense(h, layer, i === layers.length - 1 ? 'linear' : 'relu'), x);
}
