import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { actorCriticLoss } from './loss.js';

const LOGITS = [
  [1, 2, 0],
  [0.5, -1, 2],
];
const VALUES = [0.5, -1];
const ACTIONS = [1, 2];
const TARGETS = [2, 1];
const ENT_COEF = 0.01;
/** Not 1, so that the tests see the weight applied. */
const VALUE_COEF = 0.5;

function logSoftmaxRow(row: number[]): number[] {
  const max = Math.max(...row);
  const logZ = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - logZ);
}

function handLoss(logits: number[][], values: number[]) {
  const n = logits.length;
  let policy = 0;
  let value = 0;
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    const lp = logSoftmaxRow(logits[i]);
    const adv = TARGETS[i] - values[i];
    policy -= (adv * lp[ACTIONS[i]]) / n;
    value += (TARGETS[i] - values[i]) ** 2 / n;
    entropy -= lp.reduce((s, l) => s + Math.exp(l) * l, 0) / n;
  }
  return { policy, value, entropy, total: policy + VALUE_COEF * value - ENT_COEF * entropy };
}

function tfLoss(logits: tf.Tensor2D, values: tf.Tensor1D) {
  return actorCriticLoss({ logits, value: values }, tf.tensor1d(ACTIONS, 'int32'), tf.tensor1d(TARGETS), { entCoef: ENT_COEF, valueCoef: VALUE_COEF });
}

test('actor-critic loss terms equal hand-computed values', async () => {
  await tf.setBackend('cpu');
  const expected = handLoss(LOGITS, VALUES);
  const terms = tf.tidy(() => tfLoss(tf.tensor2d(LOGITS), tf.tensor1d(VALUES)));
  assert.ok(Math.abs(terms.policy.dataSync()[0] - expected.policy) < 1e-5);
  assert.ok(Math.abs(terms.value.dataSync()[0] - expected.value) < 1e-5);
  assert.ok(Math.abs(terms.entropy.dataSync()[0] - expected.entropy) < 1e-5);
  assert.ok(Math.abs(terms.total.dataSync()[0] - expected.total) < 1e-5);
  assert.ok(Math.abs(terms.advantageMean.dataSync()[0] - (TARGETS[0] - VALUES[0] + TARGETS[1] - VALUES[1]) / 2) < 1e-6);
});

test('the advantage is detached: the value gradient comes from the MSE term only', async () => {
  await tf.setBackend('cpu');
  const values = tf.tensor1d(VALUES);
  const gradValues = tf.grad((v: tf.Tensor) => tfLoss(tf.tensor2d(LOGITS), v as tf.Tensor1D).total)(values).dataSync();
  const n = VALUES.length;
  VALUES.forEach((v, i) => assert.ok(Math.abs(gradValues[i] - (VALUE_COEF * 2 * (v - TARGETS[i])) / n) < 1e-5));
});

test('logit gradients equal central finite differences of the hand-computed loss', async () => {
  await tf.setBackend('cpu');
  const grad = tf.grad((l: tf.Tensor) => tfLoss(l as tf.Tensor2D, tf.tensor1d(VALUES)).total)(tf.tensor2d(LOGITS)).arraySync() as number[][];
  const h = 1e-4;
  for (let i = 0; i < LOGITS.length; i++) {
    for (let j = 0; j < LOGITS[i].length; j++) {
      const plus = LOGITS.map((r) => [...r]);
      const minus = LOGITS.map((r) => [...r]);
      plus[i][j] += h;
      minus[i][j] -= h;
      const fd = (handLoss(plus, VALUES).total - handLoss(minus, VALUES).total) / (2 * h);
      assert.ok(Math.abs(grad[i][j] - fd) < 1e-4, `d loss / d logit[${i}][${j}]: ${grad[i][j]} vs ${fd}`);
    }
  }
});

// A Gaussian head: two states, 2-dimensional actions (the unclipped samples).
const MEANS = [
  [0.5, -1],
  [0.25, 2],
];
const LOG_STDS = [
  [0.2, -0.3],
  [-1, 0.7],
];
const SAMPLES = [
  [1, 0],
  [0.1, 3.5],
];

function handGaussianLoss(means: number[][], logStds: number[][], values: number[]) {
  const n = means.length;
  let policy = 0;
  let value = 0;
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    let logProb = 0;
    for (let d = 0; d < means[i].length; d++) {
      const sigma = Math.exp(logStds[i][d]);
      logProb += -0.5 * ((SAMPLES[i][d] - means[i][d]) / sigma) ** 2 - logStds[i][d] - 0.5 * Math.log(2 * Math.PI);
      entropy += (logStds[i][d] + 0.5 * (1 + Math.log(2 * Math.PI))) / n;
    }
    policy -= ((TARGETS[i] - values[i]) * logProb) / n;
    value += (TARGETS[i] - values[i]) ** 2 / n;
  }
  return { policy, value, entropy, total: policy + VALUE_COEF * value - ENT_COEF * entropy };
}

function tfGaussianLoss(mean: tf.Tensor2D, logStd: tf.Tensor2D, values: tf.Tensor1D) {
  return actorCriticLoss({ mean, logStd, value: values }, tf.tensor2d(SAMPLES), tf.tensor1d(TARGETS), { entCoef: ENT_COEF, valueCoef: VALUE_COEF });
}

test('Gaussian actor-critic loss terms equal hand-computed values', async () => {
  await tf.setBackend('cpu');
  const expected = handGaussianLoss(MEANS, LOG_STDS, VALUES);
  const terms = tf.tidy(() => tfGaussianLoss(tf.tensor2d(MEANS), tf.tensor2d(LOG_STDS), tf.tensor1d(VALUES)));
  for (const key of ['policy', 'value', 'entropy', 'total'] as const) {
    assert.ok(Math.abs(terms[key].dataSync()[0] - expected[key]) < 1e-5, `${key}: ${terms[key].dataSync()[0]} vs ${expected[key]}`);
  }
});

test('Gaussian loss gradients for the mean and log sigma equal central finite differences of the hand-computed loss', async () => {
  await tf.setBackend('cpu');
  const [gradMean, gradLogStd] = tf.grads((m: tf.Tensor, s: tf.Tensor) => tfGaussianLoss(m as tf.Tensor2D, s as tf.Tensor2D, tf.tensor1d(VALUES)).total)([
    tf.tensor2d(MEANS),
    tf.tensor2d(LOG_STDS),
  ]).map((g) => g.arraySync() as number[][]);
  const h = 1e-4;
  const shifted = (rows: number[][], i: number, d: number, by: number) => rows.map((r, ri) => r.map((x, di) => (ri === i && di === d ? x + by : x)));
  for (let i = 0; i < MEANS.length; i++) {
    for (let d = 0; d < MEANS[i].length; d++) {
      const fdMean = (handGaussianLoss(shifted(MEANS, i, d, h), LOG_STDS, VALUES).total - handGaussianLoss(shifted(MEANS, i, d, -h), LOG_STDS, VALUES).total) / (2 * h);
      const fdLogStd = (handGaussianLoss(MEANS, shifted(LOG_STDS, i, d, h), VALUES).total - handGaussianLoss(MEANS, shifted(LOG_STDS, i, d, -h), VALUES).total) / (2 * h);
      assert.ok(Math.abs(gradMean[i][d] - fdMean) < 1e-4, `d loss / d mean[${i}][${d}]: ${gradMean[i][d]} vs ${fdMean}`);
      assert.ok(Math.abs(gradLogStd[i][d] - fdLogStd) < 1e-4, `d loss / d logStd[${i}][${d}]: ${gradLogStd[i][d]} vs ${fdLogStd}`);
    }
  }
});
