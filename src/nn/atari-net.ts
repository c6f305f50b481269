import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { convOutputSize, conv2d, createConv2d, createDense, dense, type Conv2dParams, type DenseParams } from './layers.js';
import { checkPositiveIntegers, type ActorCriticNet, type CategoricalOutput, type AtariSpec } from './net-spec.js';
import { ParameterList } from './parameter-list.js';

/** Lapan's AtariA2C (Deep RL Hands-On, ch. 12-13), after the DQN convolution stack of Mnih et al. 2015. */
const CONV_LAYERS = [
  { channels: 32, kernel: 8, stride: 4 },
  { channels: 64, kernel: 4, stride: 2 },
  { channels: 64, kernel: 3, stride: 1 },
] as const;
const HEAD_HIDDEN_UNITS = 512;
/** The reference scales uint8 pixels by x / 256, not 255. */
const PIXEL_SCALE = 1 / 256;
/** [batch, c, h, w] -> [batch, h, w, c]: tfjs's wasm convolutions are channels-last only. */
const CHANNELS_LAST = [0, 2, 3, 1];

/**
 * Three ReLU convolutions on frames scaled to [0, 1), flattened, then two heads of
 * Linear(flat, 512) + ReLU + Linear(512, out): policy logits and value.
 * Variables: conv1..3 (filter, bias), policy (fc1, fc2), value (fc1, fc2), weight before bias,
 * PyTorch's parameter order. The flatten is channels-last (h, w, c) where PyTorch's is (c, h, w):
 * a fixed permutation of the heads' first-layer rows.
 */
export class AtariNet extends ParameterList implements ActorCriticNet {
  private readonly convs: Conv2dParams[];
  private readonly policy: [DenseParams, DenseParams];
  private readonly valueHead: [DenseParams, DenseParams];

  constructor(readonly spec: AtariSpec, seed: number) {
    const [channels, height, width] = spec.inputShape;
    checkPositiveIntegers('atari inputShape and numActions', [...spec.inputShape, spec.numActions]);
    let [h, w, c] = [height, width, channels];
    for (const layer of CONV_LAYERS) {
      [h, w, c] = [convOutputSize(h, layer.kernel, layer.stride), convOutputSize(w, layer.kernel, layer.stride), layer.channels];
    }
    if (h < 1 || w < 1) {
      throw new Error(`atari inputShape [${spec.inputShape.join(', ')}] is too small for the conv stack; frames need at least 36x36 pixels`);
    }
    const flatSize = h * w * c;
    const rng = new Rng(seed);
    let inChannels = channels;
    const convs = CONV_LAYERS.map((layer) => {
      const params = createConv2d(inChannels, layer.channels, layer.kernel, layer.stride, rng);
      inChannels = layer.channels;
      return params;
    });
    const policy: [DenseParams, DenseParams] = [createDense(flatSize, HEAD_HIDDEN_UNITS, rng), createDense(HEAD_HIDDEN_UNITS, spec.numActions, rng)];
    const valueHead: [DenseParams, DenseParams] = [createDense(flatSize, HEAD_HIDDEN_UNITS, rng), createDense(HEAD_HIDDEN_UNITS, 1, rng)];
    super([
      ...convs.flatMap((conv) => [conv.filter, conv.bias]),
      ...[...policy, ...valueHead].flatMap((layer) => [layer.weight, layer.bias]),
    ]);
    this.convs = convs;
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
      const features = tf.reshape(x, [batch, -1]) as tf.Tensor2D;
      const logits = dense(dense(features, this.policy[0], 'relu'), this.policy[1], 'linear');
      const hiddenValue = dense(features, this.valueHead[0], 'relu');
      const value = tf.reshape(dense(hiddenValue, this.valueHead[1], 'linear'), [batch]) as tf.Tensor1D;
      return { logits, value };
    });
  }
}
