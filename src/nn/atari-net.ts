import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { convOutputSize, conv2d, createConv2d, createDense, dense, type Conv2dParams, type DenseParams } from './layers.js';
import { checkPositiveIntegers, type ActorCriticNet, type AtariArch, type CategoricalOutput, type AtariSpec } from './net-spec.js';
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
 * shared layer, policy and value; weight before bias, PyTorch's parameter order. The flatten is
 * channels-last (h, w, c) where PyTorch's is (c, h, w): a fixed permutation of the first dense
 * layer's rows.
 * @throws Error when the frames are too small for the convolutions.
 */
export class AtariNet extends ParameterList implements ActorCriticNet {
  private readonly convs: Conv2dParams[];
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
    const units = arch.hiddenUnits;
    const shared = arch.sharedHidden ? createDense(flatSize, units, rng) : null;
    const head = (outSize: number): DenseParams[] =>
      shared === null ? [createDense(flatSize, units, rng), createDense(units, outSize, rng)] : [createDense(units, outSize, rng)];
    const policy = head(spec.numActions);
    const valueHead = head(1);
    super([
      ...convs.flatMap((conv) => [conv.filter, conv.bias]),
      ...[...(shared === null ? [] : [shared]), ...policy, ...valueHead].flatMap((layer) => [layer.weight, layer.bias]),
    ]);
    this.convs = convs;
    this.shared = shared;
    this.policy = policy;
    this.valueHead = valueHead;
  }

  /** obs: [batch, channels, height, width] of pixel values 0..255, any numeric dtype. */
  forward(obs: tf.Tensor): CategoricalOutput {
    const expected = this.spec.inputShape;
    if (obs.rank !== 4 || expected.some((d, i) => obs.shape[i + 1] !== d)) {
      throw new Error(`atari forward: expected observations [batch, ${expected.join(', ')}]; got [${obs.shape.join(', ')}]`);
    }
    const batch = obs.shape[0];
    return tf.tidy(() => {
      let x = tf.mul(tf.transpose(obs.toFloat(), CHANNELS_LAST), PIXEL_SCALE) as tf.Tensor4D;
      for (const conv of this.convs) x = conv2d(x, conv, 'relu');
      let features = tf.reshape(x, [batch, -1]) as tf.Tensor2D;
      if (this.shared !== null) features = dense(features, this.shared, 'relu');
      const logits = applyHead(features, this.policy);
      const value = tf.reshape(applyHead(features, this.valueHead), [batch]) as tf.Tensor1D;
      return { logits, value };
    });
  }
}

/** ReLU layers, then a linear output layer. */
function applyHead(x: tf.Tensor2D, layers: readonly DenseParams[]): tf.Tensor2D {
  return layers.reduce((h, layer, i) => dense(h, layer, i === layers.length - 1 ? 'linear' : 'relu'), x);
}
