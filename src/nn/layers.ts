/**
 * Dense and 2-D convolution layers as plain parameter records plus functions, initialised as
 * PyTorch's nn.Linear and nn.Conv2d are by default.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';

export type Activation = 'relu' | 'linear';

export interface DenseParams {
  /** [inSize, outSize]: the transpose of PyTorch's Linear.weight. */
  weight: tf.Variable;
  /** [outSize] */
  bias: tf.Variable;
}

export interface Conv2dParams {
  /** [kernel, kernel, inChannels, outChannels]; PyTorch's Conv2d.weight is [out, in, kernel, kernel]. */
  filter: tf.Variable;
  /** [outChannels] */
  bias: tf.Variable;
  stride: number;
}

/**
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default for both the weights (kaiming_uniform_ with
 * a = sqrt(5), whose bound gain * sqrt(3 / fanIn) reduces to this) and the biases of Linear and
 * Conv2d (their reset_parameters()). Seeded by `rng`.
 */
export function torchDefaultVariable(shape: number[], fanIn: number, rng: Rng): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', rng.fork())));
}

export function createDense(inSize: number, outSize: number, rng: Rng): DenseParams {
  return {
    weight: torchDefaultVariable([inSize, outSize], inSize, rng),
    bias: torchDefaultVariable([outSize], inSize, rng),
  };
}

export function createConv2d(inChannels: number, outChannels: number, kernel: number, stride: number, rng: Rng): Conv2dParams {
  const fanIn = inChannels * kernel * kernel;
  return {
    filter: torchDefaultVariable([kernel, kernel, inChannels, outChannels], fanIn, rng),
    bias: torchDefaultVariable([outChannels], fanIn, rng),
    stride,
  };
}

/** [batch, inSize] -> [batch, outSize]; bias and activation fused into the matMul. */
export function dense(x: tf.Tensor2D, params: DenseParams, activation: Activation): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: params.weight as tf.Tensor2D, bias: params.bias, activation }) as tf.Tensor2D;
}

/** [batch, h, w, inChannels] -> [batch, h', w', outChannels], 'valid' padding as PyTorch's default. */
export function conv2d(x: tf.Tensor4D, params: Conv2dParams, activation: Activation): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: params.filter as tf.Tensor4D,
    strides: params.stride,
    pad: 'valid',
    bias: params.bias,
    activation,
  });
}

/** Spatial size after a 'valid' convolution. */
export function convOutputSize(inSize: number, kernel: number, stride: number): number {
  return Math.floor((inSize - kernel) / stride) + 1;
}
