import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { centralDifferences, gradientMismatches } from '../../test/support/gradient-check.js';
import { categoricalEntropy, categoricalLogProb, gaussianEntropy, gaussianLogProb } from './distributions.js';
import { initBackend } from './kernels/backend.js';

// Two states, a 2-dimensional action: means, log sigmas and the (unclipped) samples taken.
const MEAN = [0.5, -1, 0.25, 2];
const LOG_STD = [0.2, -0.3, -1, 0.7];
const ACTIONS = [1, 0, 0.1, 3.5];
const SHAPE: [number, number] = [2, 2];
/** float32 maths against float64 references of magnitude ~1-10. */
const TOLERANCE = 1e-5;
const FD_STEP = 1e-2;
const FD_ATOL = 2e-3;
const FD_RTOL = 1e-2;

before(async () => {
  await initBackend({});
});

/** log N(a; mu, sigma^2) summed over each row, in float64: the density written out. */
function handLogProb(mean: ArrayLike<number>, logStd: ArrayLike<number>, actions: ArrayLike<number>): number[] {
  const rows: number[] = [];
  for (let r = 0; r < SHAPE[0]; r++) {
    let sum = 0;
    for (let d = 0; d < SHAPE[1]; d++) {
      const k = r * SHAPE[1] + d;
      const sigma = Math.exp(logStd[k]);
      sum += Math.log(Math.exp(-(((actions[k] - mean[k]) / sigma) ** 2) / 2) / (sigma * Math.sqrt(2 * Math.PI)));
    }
    rows.push(sum);
  }
  return rows;
}

/** Entropy of N(mu, sigma^2) is log(sigma sqrt(2 pi e)) per dimension. */
function handEntropy(logStd: ArrayLike<number>): number[] {
  return [0, 1].map((r) => [0, 1].reduce((s, d) => s + Math.log(Math.exp(logStd[r * 2 + d]) * Math.sqrt(2 * Math.PI * Math.E)), 0));
}

function close(actual: ArrayLike<number>, expected: number[], what: string): void {
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < TOLERANCE, `${what}[${i}]: ${actual[i]}, expected ${e}`));
}

test('diagonal Gaussian log-probability and entropy equal the density written out', () => {
  const logProb = tf.tidy(() => gaussianLogProb(tf.tensor2d(MEAN, SHAPE), tf.tensor2d(LOG_STD, SHAPE), tf.tensor2d(ACTIONS, SHAPE)).dataSync());
  close(logProb, handLogProb(MEAN, LOG_STD, ACTIONS), 'log pi');
  // By hand for row 0: -(0.5 / e^0.2)^2 / 2 - 0.2 - log(2 pi) / 2 + -(1 / e^-0.3)^2 / 2 + 0.3 - log(2 pi) / 2.
  const row0 = -0.5 * (0.5 / Math.exp(0.2)) ** 2 - 0.2 - 0.5 * (1 / Math.exp(-0.3)) ** 2 + 0.3 - Math.log(2 * Math.PI);
  assert.ok(Math.abs(logProb[0] - row0) < TOLERANCE);
  const entropy = tf.tidy(() => gaussianEntropy(tf.tensor2d(LOG_STD, SHAPE)).dataSync());
  close(entropy, handEntropy(LOG_STD), 'entropy');
  // A unit Gaussian's entropy per dimension: (1 + log 2 pi) / 2 = 1.4189385...
  const unit = tf.tidy(() => gaussianEntropy(tf.zeros([1, 3])).dataSync()[0]);
  assert.ok(Math.abs(unit - 3 * 1.4189385332046727) < TOLERANCE);
});

test('categorical log-probability and entropy equal softmax written out', () => {
  const logits = [1, 2, 0, 0.5, -1, 2];
  const probs = (r: number) => {
    const row = logits.slice(r * 3, r * 3 + 3).map(Math.exp);
    const z = row.reduce((a, b) => a + b, 0);
    return row.map((p) => p / z);
  };
  const logProb = tf.tidy(() => categoricalLogProb(tf.tensor2d(logits, [2, 3]), tf.tensor1d([1, 2], 'int32')).dataSync());
  close(logProb, [Math.log(probs(0)[1]), Math.log(probs(1)[2])], 'log pi');
  const entropy = tf.tidy(() => categoricalEntropy(tf.tensor2d(logits, [2, 3])).dataSync());
  close(entropy, [0, 1].map((r) => -probs(r).reduce((s, p) => s + p * Math.log(p), 0)), 'entropy');
});

/** d f / d input against central differences of f on the float32 inputs, for each input. */
function checkGradients(what: string, inputs: Float32Array[], f: (...xs: tf.Tensor2D[]) => tf.Scalar): void {
  const tensors = () => inputs.map((values) => tf.tensor2d(values, SHAPE));
  const analytic = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => f(...(xs as tf.Tensor2D[])))(tensors()).map((g) => g.dataSync() as Float32Array));
  const indices = MEAN.map((_, i) => i);
  inputs.forEach((values, k) => {
    const numeric = centralDifferences(() => tf.tidy(() => f(...tensors()).dataSync()[0]), values, indices, FD_STEP);
    const bad = gradientMismatches(analytic[k], numeric, indices, FD_ATOL, FD_RTOL);
    assert.deepEqual(bad, [], `${what}, input ${k}`);
  });
}

test('Gaussian log-probability gradients (mean, log sigma, action) equal finite differences', () => {
  // A weighted sum, so that each row's log-probability reaches the scalar with its own weight.
  const weights = tf.tensor1d([0.7, -1.3]);
  checkGradients('log pi', [Float32Array.from(MEAN), Float32Array.from(LOG_STD), Float32Array.from(ACTIONS)], (mean, logStd, actions) =>
    tf.sum(tf.mul(gaussianLogProb(mean, logStd, actions), weights)),
  );
  weights.dispose();
});

test('Gaussian entropy gradients equal finite differences: 1 for every log sigma', () => {
  checkGradients('entropy', [Float32Array.from(LOG_STD)], (logStd) => tf.sum(gaussianEntropy(logStd)));
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(gaussianEntropy(x as tf.Tensor2D)))(tf.tensor2d(LOG_STD, SHAPE)).dataSync());
  assert.deepEqual(Array.from(grad), [1, 1, 1, 1]);
});
