/**
 * Gradients on the wasm backend (the one training uses) against central finite differences.
 * The layers are linear or piecewise linear, so differences of a linear readout are exact up to
 * float32 rounding (~1e-7 of the loss, divided by 2h); inputs and steps are chosen to keep ReLU
 * pre-activations away from their kink.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { initBackend } from './kernels/backend.js';
import { centralDifferences, gradientMismatches, sampleIndices } from '../../test/support/gradient-check.js';
import { clipGradNorm, CLIP_NORM_EPS, flatGradients } from './gradients.js';
import { loadOneDnn, oneDnnStatus } from './kernels/onednn-kernels.js';
import { conv2d, createConv2d, createDense, dense } from './layers.js';
import { createNet, type ActorCriticNet, type CategoricalOutput, type NetSpec } from './networks.js';

/** Absolute tolerance: float32 rounding of an O(1-10) loss over a 2h = 2e-2 step, with margin. */
const LAYER_ATOL = 2e-4;
const LAYER_STEP = 1e-2;
const RTOL = 1e-2;
/** Coordinates checked per tensor: all of small ones, a sample of big ones (keeps tests fast). */
const CHECKED_PER_TENSOR = 40;

function randomArray(size: number, rng: Rng, low = -1, high = 1): Float32Array {
  return Float32Array.from({ length: size }, () => rng.uniform(low, high));
}

/** Away from zero: |x| in [0.2, 1], a random sign. */
function awayFromZero(size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: size }, () => (rng.random() < 0.5 ? -1 : 1) * rng.uniform(0.2, 1));
}

/**
 * Checks d loss / d input for every input of `loss`, which takes tensors built from `inputs`:
 * analytic by tf.grads, numeric by central differences on the float32 data.
 */
function checkGradients(
  name: string,
  inputs: Array<{ values: Float32Array; shape: number[] }>,
  loss: (...xs: tf.Tensor[]) => tf.Scalar,
  rng: Rng,
  atol = LAYER_ATOL,
  h = LAYER_STEP,
): void {
  const tensors = () => inputs.map((input) => tf.tensor(input.values, input.shape));
  const analytic = tf.tidy(() => tf.grads(loss)(tensors()).map((g) => g.dataSync() as Float32Array));
  inputs.forEach((input, k) => {
    const indices = sampleIndices(input.values.length, CHECKED_PER_TENSOR, () => rng.random());
    const numeric = centralDifferences(() => tf.tidy(() => loss(...tensors()).dataSync()[0]), input.values, indices, h);
    const bad = gradientMismatches(analytic[k], numeric, indices, atol, RTOL);
    assert.deepEqual(bad.slice(0, 3), [], `${name}, input ${k}: ${bad.length} of ${indices.length} coordinates differ`);
  });
}

/** sum(y * readout): a linear functional with a fixed random readout, so every output matters. */
function weightedSum(y: tf.Tensor, readout: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, readout));
}

describe('layer gradients on wasm match finite differences', () => {
  before(async () => {
    const description = await initBackend();
    assert.match(description, /^(native oneDNN kernels on )?wasm \(/);
  });

  it('dense: [6, 40] x [40, 24] + bias, linear', () => {
    const rng = new Rng(10);
    const readout = randomArray(6 * 24, rng);
    checkGradients(
      'dense',
      [
        { values: randomArray(6 * 40, rng), shape: [6, 40] },
        { values: randomArray(40 * 24, rng), shape: [40, 24] },
        { values: randomArray(24, rng), shape: [24] },
      ],
      (x, w, b) => weightedSum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b }), tf.tensor(readout, [6, 24])),
      rng,
    );
  });

  it('relu, inputs away from the kink', () => {
    const rng = new Rng(11);
    const readout = randomArray(200, rng);
    checkGradients('relu', [{ values: awayFromZero(200, rng), shape: [200] }], (x) => weightedSum(tf.relu(x), tf.tensor(readout)), rng);
  });

  const convCases = [
    { name: 'conv1 8x8 stride 4', x: [2, 20, 20, 4], kernel: 8, stride: 4, outChannels: 5 },
    { name: 'conv2 4x4 stride 2', x: [2, 10, 10, 6], kernel: 4, stride: 2, outChannels: 5 },
    { name: 'conv3 3x3 stride 1', x: [2, 6, 6, 6], kernel: 3, stride: 1, outChannels: 5 },
  ];
  for (const c of convCases) {
    it(`${c.name}: input, filter and bias`, () => {
      const rng = new Rng(12);
      const [batch, height, width, inChannels] = c.x;
      const outSize = (n: number) => Math.floor((n - c.kernel) / c.stride) + 1;
      const outShape = [batch, outSize(height), outSize(width), c.outChannels];
      const readout = randomArray(outShape.reduce((p, d) => p * d, 1), rng);
      checkGradients(
        c.name,
        [
          { values: randomArray(c.x.reduce((p, d) => p * d, 1), rng), shape: c.x },
          { values: randomArray(c.kernel * c.kernel * inChannels * c.outChannels, rng), shape: [c.kernel, c.kernel, inChannels, c.outChannels] },
          { values: randomArray(c.outChannels, rng), shape: [c.outChannels] },
        ],
        (x, filter, bias) =>
          weightedSum(
            tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: c.stride, pad: 'valid', bias }),
            tf.tensor(readout, outShape),
          ),
        rng,
      );
    });
  }

  it('conv and dense layers with fused ReLU (layers.ts), pre-activations away from the kink', () => {
    const rng = new Rng(13);
    const conv = createConv2d(3, 4, 4, 2, rng);
    const fc = createDense(2 * 2 * 4, 5, rng);
    const x = randomArray(2 * 6 * 6 * 3, rng);
    const readout = randomArray(2 * 5, rng);
    const loss = (xs: tf.Tensor) => {
      const h = conv2d(xs as tf.Tensor4D, conv, 'relu');
      return weightedSum(dense(tf.reshape(h, [2, 16]) as tf.Tensor2D, fc, 'relu'), tf.tensor(readout, [2, 5]));
    };
    // Kinks: a pre-activation within h * |d pre / d x| of zero would break exactness; check none is.
    const preActivations = tf.tidy(() => {
      const z1 = tf.conv2d(tf.tensor4d(x, [2, 6, 6, 3]), conv.filter as tf.Tensor4D, 2, 'valid').add(conv.bias);
      const z2 = tf.matMul(tf.relu(z1).reshape([2, 16]), fc.weight as tf.Tensor2D).add(fc.bias);
      return [...z1.dataSync(), ...z2.dataSync()];
    });
    const smallStep = 1e-3;
    assert.ok(Math.min(...preActivations.map(Math.abs)) > 10 * smallStep, 'test data puts a pre-activation at the ReLU kink');
    checkGradients('conv+dense relu', [{ values: x, shape: [2, 6, 6, 3] }], loss, rng, LAYER_ATOL * (LAYER_STEP / smallStep), smallStep);
    [conv.filter, conv.bias, fc.weight, fc.bias].forEach((v) => v.dispose());
  });
});

/**
 * A smooth stand-in for the A3C loss (policy log-likelihood weighted by fixed advantages, value
 * regression, entropy), so that every output of the net reaches the loss.
 */
function a3cShapedLoss(net: ActorCriticNet, obs: tf.Tensor, actions: Int32Array, targets: Float32Array, recurrent?: RecurrentCase): tf.Scalar {
  const recurrentInput =
    recurrent === undefined
      ? undefined
      : { state: tf.tensor2d(recurrent.state, [recurrent.state.length / (2 * net.lstmCells), 2 * net.lstmCells]), episodeStarts: tf.tensor1d(recurrent.episodeStarts), steps: recurrent.steps };
  const { logits, value } = net.forward(obs, recurrentInput) as CategoricalOutput;
  const logProbs = tf.logSoftmax(logits);
  const taken = tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(actions, 'int32'), logits.shape[1])), 1);
  const advantages = tf.sub(tf.tensor1d(targets), value);
  const policyLoss = tf.neg(tf.mean(tf.mul(taken, tf.tensor1d(targets))));
  const valueLoss = tf.mean(tf.square(advantages));
  const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)));
  return tf.add(tf.add(policyLoss, valueLoss), tf.mul(-0.01, entropy)) as tf.Scalar;
}

/** A recurrent net's rows as `steps` steps of sequences, its initial state and episode starts. */
interface RecurrentCase {
  state: Float32Array;
  episodeStarts: Float32Array;
  steps: number;
}

interface NetCase {
  spec: NetSpec;
  obs: Float32Array;
  obsShape: number[];
  actions: Int32Array;
  targets: Float32Array;
  recurrent?: RecurrentCase;
}

/**
 * `batch` rows; for a net with `spec.lstmCells`, `steps` steps of batch / steps sequences from a
 * random state, with one episode starting inside the rollout (the state is reset there).
 */
function netCase(spec: NetSpec, batch: number, rng: Rng, steps = 1): NetCase {
  const obsShape = spec.kind === 'mlp' ? [batch, spec.obsSize] : [batch, ...spec.inputShape];
  const size = obsShape.reduce((p, d) => p * d, 1);
  const obs = spec.kind === 'mlp' ? randomArray(size, rng, -2, 2) : Float32Array.from({ length: size }, () => rng.integer(256));
  const actions = Int32Array.from({ length: batch }, () => rng.integer(spec.numActions));
  const cells = spec.lstmCells ?? 0;
  if (cells === 0) return { spec, obs, obsShape, actions, targets: randomArray(batch, rng) };
  const episodeStarts = new Float32Array(batch);
  episodeStarts[batch - 1] = 1;
  const recurrent = { state: randomArray((batch / steps) * 2 * cells, rng), episodeStarts, steps };
  return { spec, obs, obsShape, actions, targets: randomArray(batch, rng), recurrent };
}

/**
 * Whole-net gradients (flatGradients) against central differences over a sample of coordinates
 * of every variable and along one random direction through all parameters at once.
 */
function checkNetGradients(c: NetCase, seed: number, h: number, atol: number): void {
  const net = createNet(c.spec, seed);
  const rng = new Rng(seed);
  try {
    const lossAt = (params: Float32Array): number => {
      net.setParams(params);
      return tf.tidy(() => a3cShapedLoss(net, tf.tensor(c.obs, c.obsShape), c.actions, c.targets, c.recurrent).dataSync()[0]);
    };
    const params = net.getParams();
    const grads = flatGradients(net, () => a3cShapedLoss(net, tf.tensor(c.obs, c.obsShape), c.actions, c.targets, c.recurrent));
    let offset = 0;
    for (const [k, variable] of net.variables.entries()) {
      const local = sampleIndices(variable.size, CHECKED_PER_TENSOR / 4, () => rng.random());
      const indices = local.map((i) => i + offset);
      const numeric = centralDifferences(lossAt, params, indices, h);
      const bad = gradientMismatches(grads, numeric, indices, atol, RTOL);
      assert.deepEqual(bad.slice(0, 3), [], `${c.spec.kind} variable ${k} ${JSON.stringify(variable.shape)}: ${bad.length} of ${indices.length} differ`);
      offset += variable.size;
    }
    // A unit direction: h then moves each parameter by ~h / sqrt(numParams), far from any kink.
    const direction = randomArray(params.length, rng);
    const length = Math.sqrt(direction.reduce((sum, d) => sum + d * d, 0));
    direction.forEach((d, i) => (direction[i] = d / length));
    const shifted = (sign: number) => lossAt(params.map((p, i) => p + sign * h * direction[i]));
    const numericSlope = (shifted(1) - shifted(-1)) / (2 * h);
    const analyticSlope = grads.reduce((sum, g, i) => sum + g * direction[i], 0);
    assert.ok(
      Math.abs(numericSlope - analyticSlope) <= RTOL * Math.abs(analyticSlope),
      `directional derivative: numeric ${numericSlope}, analytic ${analyticSlope}`,
    );
  } finally {
    net.dispose();
  }
}

describe('whole-net gradients on wasm match finite differences', () => {
  before(async () => {
    await initBackend();
  });

  it('MLP actor-critic (4 -> 32 -> 3 actions + value)', () => {
    const rng = new Rng(20);
    checkNetGradients(netCase({ kind: 'mlp', obsSize: 4, numActions: 3, hidden: [32] }, 6, rng), 21, 1e-3, 5e-4);
  });

  it('Atari actor-critic on 36x36 frames (its three conv layers, both heads)', () => {
    const rng = new Rng(22);
    checkNetGradients(netCase({ kind: 'atari', inputShape: [4, 36, 36], numActions: 3 }, 2, rng), 23, 1e-3, 5e-4);
  });

  it('MLP with an LSTM over 3 steps of 2 sequences, an episode starting in the last step (4 -> 8 -> LSTM 6)', () => {
    const rng = new Rng(26);
    checkNetGradients(netCase({ kind: 'mlp', obsSize: 4, numActions: 3, hidden: [8], lstmCells: 6 }, 6, rng, 3), 27, 1e-3, 5e-4);
  });

  it('the A3C paper\'s Atari net with an LSTM on 20x20 frames, 2 steps of 2 sequences', () => {
    const rng = new Rng(28);
    checkNetGradients(netCase({ kind: 'atari', inputShape: [4, 20, 20], numActions: 3, arch: 'a3c-paper', lstmCells: 5 }, 4, rng, 2), 29, 1e-3, 5e-4);
  });

  it('the A3C paper\'s Atari net on 20x20 frames (two conv layers, the shared layer, both outputs)', () => {
    const rng = new Rng(24);
    checkNetGradients(netCase({ kind: 'atari', inputShape: [4, 20, 20], numActions: 3, arch: 'a3c-paper' }, 2, rng), 25, 1e-3, 5e-4);
  });
});

describe('flatGradients', () => {
  before(async () => {
    await initBackend();
  });

  it('orders gradients as getParams and gives zeros to variables the loss ignores', () => {
    const net = createNet({ kind: 'mlp', obsSize: 2, numActions: 2, hidden: [3] }, 30);
    try {
      // Only the value head reaches the loss: d/dw of sum(value) is the hidden activations.
      const obs = tf.tensor2d([[0.5, -0.25]]);
      const grads = flatGradients(net, () => tf.sum(net.forward(obs).value));
      const hidden = tf.tidy(() => tf.relu(tf.matMul(obs, net.variables[0] as tf.Tensor2D).add(net.variables[1])).dataSync());
      const sizes = net.variables.map((v) => v.size);
      const start = (k: number) => sizes.slice(0, k).reduce((a, b) => a + b, 0);
      assert.deepEqual(Array.from(grads.subarray(start(4), start(5))), Array.from(hidden));
      assert.deepEqual(Array.from(grads.subarray(start(5), start(6))), [1]);
      assert.ok(grads.subarray(start(2), start(4)).every((g) => g === 0), 'policy head gradients should be zero');
      obs.dispose();
    } finally {
      net.dispose();
    }
  });

  it('keeps tensor and wasm buffer counts flat across repeated computations', () => {
    const rng = new Rng(31);
    const c = netCase({ kind: 'atari', inputShape: [4, 36, 36], numActions: 3 }, 2, rng);
    const net = createNet(c.spec, 31);
    const out = new Float32Array(net.numParams);
    const obs = tf.tensor(c.obs, c.obsShape);
    try {
      const step = () => flatGradients(net, () => a3cShapedLoss(net, obs, c.actions, c.targets), out);
      step();
      const tensors = tf.memory().numTensors;
      const buffers = tf.engine().backend.numDataIds();
      for (let i = 0; i < 3; i++) step();
      assert.equal(tf.memory().numTensors, tensors);
      assert.equal(tf.engine().backend.numDataIds(), buffers);
    } finally {
      obs.dispose();
      net.dispose();
    }
  });
});

for (const [path, native] of [['JavaScript', null], ['oneDNN addon', loadOneDnn()]] as const) {
  describe(`clipGradNorm (${path})`, { skip: path !== 'JavaScript' && native === null ? `addon not loaded: ${oneDnnStatus().reason}` : false }, () => {
    it('scales by maxNorm / (norm + 1e-6) when the norm exceeds maxNorm, and returns the norm', () => {
      const grads = new Float32Array([3, 4]); // norm 5
      assert.equal(clipGradNorm(grads, 1, native), 5);
      const coef = 1 / (5 + CLIP_NORM_EPS);
      assert.deepEqual(grads, new Float32Array([3 * coef, 4 * coef]));
    });

    it('leaves gradients within the norm untouched', () => {
      const grads = new Float32Array([1, -2, 2]); // norm 3
      assert.equal(clipGradNorm(grads, 10, native), 3);
      assert.deepEqual(grads, new Float32Array([1, -2, 2]));
    });

    it('returns a non-finite norm without touching the gradients', () => {
      const grads = new Float32Array([1, NaN]);
      assert.ok(Number.isNaN(clipGradNorm(grads, 1, native)));
      assert.equal(grads[0], 1);
    });
  });
}
