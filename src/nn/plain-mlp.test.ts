import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { initBackend } from './kernels/backend.js';
import { createNet, type CategoricalOutput, type MlpSpec } from './networks.js';
import { argmax } from '../algo/rollout/policy.js';
import { mlpParameterShapes, PlainMlpPolicy } from './plain-mlp.js';

const SPEC: MlpSpec = { kind: 'mlp', obsSize: 4, numActions: 3, hidden: [16, 8] };
const NET_SEED = 5;
const OBSERVATIONS = 200;
/** float32 sums of 16 products, taken in another order than XNNPACK's. */
const LOGIT_TOLERANCE = 1e-5;

test('mlpParameterShapes lists MlpNet variables in their order', async () => {
  await initBackend({});
  const net = createNet(SPEC, NET_SEED);
  try {
    assert.deepEqual(mlpParameterShapes(SPEC), net.variables.map((v) => v.shape));
  } finally {
    net.dispose();
  }
});

test('PlainMlpPolicy gives the logits and greedy actions of MlpNet with the same parameters', async () => {
  await initBackend({});
  const net = createNet(SPEC, NET_SEED);
  const policy = new PlainMlpPolicy(SPEC, net.getParams());
  const rng = new Rng(1);
  const obs = Float32Array.from({ length: OBSERVATIONS * SPEC.obsSize }, () => 3 * rng.normal());
  const logitsT = tf.tidy(() => (net.forward(tf.tensor2d(obs, [OBSERVATIONS, SPEC.obsSize])) as CategoricalOutput).logits);
  const expected = logitsT.dataSync() as Float32Array;
  logitsT.dispose();
  net.dispose();
  const { numActions, obsSize } = SPEC;
  for (let i = 0; i < OBSERVATIONS; i++) {
    const row = obs.subarray(i * obsSize, (i + 1) * obsSize);
    const logits = policy.policyOutput(row);
    for (let j = 0; j < numActions; j++) {
      assert.ok(Math.abs(logits[j] - expected[i * numActions + j]) <= LOGIT_TOLERANCE, `observation ${i}, logit ${j}: ${logits[j]} vs ${expected[i * numActions + j]}`);
    }
    assert.equal(policy.greedyAction(row), argmax(expected, i * numActions, numActions), `observation ${i}`);
  }
});

test('PlainMlpPolicy refuses parameters and observations of the wrong size', () => {
  assert.throws(() => new PlainMlpPolicy(SPEC, new Float32Array(10)), /10 parameters given; the mlp .* has 252/);
  const policy = new PlainMlpPolicy(SPEC, new Float32Array(252));
  assert.throws(() => policy.policyOutput([0, 0]), /observation has 2 values, expected 4/);
});

test('Gaussian heads: PlainMlpPolicy acts with the mean MlpNet gives, for either std parameterisation', async () => {
  await initBackend({});
  for (const std of ['state-independent', 'state-dependent'] as const) {
    const spec: MlpSpec = { kind: 'mlp', obsSize: 3, numActions: 2, hidden: [8, 8], gaussian: { std, logStdInit: -1 } };
    const net = createNet(spec, NET_SEED);
    assert.deepEqual(mlpParameterShapes(spec), net.variables.map((v) => v.shape), std);
    const policy = new PlainMlpPolicy(spec, net.getParams());
    const rng = new Rng(2);
    const obs = Float32Array.from({ length: 20 * 3 }, () => rng.normal());
    const out = tf.tidy(() => net.forward(tf.tensor2d(obs, [20, 3])));
    assert.ok('mean' in out);
    const mean = out.mean.dataSync();
    tf.dispose([out.mean, out.logStd, out.value]);
    net.dispose();
    for (let i = 0; i < 20; i++) {
      const action = policy.greedyAction(obs.subarray(i * 3, i * 3 + 3));
      assert.ok(action instanceof Float32Array);
      action.forEach((a, d) => assert.ok(Math.abs(a - mean[i * 2 + d]) <= LOGIT_TOLERANCE, `${std}, observation ${i}: ${a} vs ${mean[i * 2 + d]}`));
    }
  }
});

test('an LSTM PlainMlpPolicy steps through an episode as MlpNet runs it, and starts again from zeros after resetState', async () => {
  await initBackend({});
  const spec: MlpSpec = { kind: 'mlp', obsSize: 2, numActions: 2, hidden: [8], lstmCells: 6 };
  const steps = 12;
  const net = createNet(spec, NET_SEED);
  assert.deepEqual(mlpParameterShapes(spec), net.variables.map((v) => v.shape));
  const policy = new PlainMlpPolicy(spec, net.getParams());
  const rng = new Rng(3);
  const obs = Float32Array.from({ length: steps * 2 }, () => rng.normal());
  const starts = Float32Array.from({ length: steps }, (_, t) => (t === 0 ? 1 : 0));
  const out = tf.tidy(() => net.forward(tf.tensor2d(obs, [steps, 2]), { state: tf.zeros([1, 12]), episodeStarts: tf.tensor1d(starts), steps }) as CategoricalOutput);
  const expected = out.logits.dataSync();
  tf.dispose([out.logits, out.value, out.state!]);
  net.dispose();
  for (const pass of ['first episode', 'after resetState']) {
    for (let t = 0; t < steps; t++) {
      const logits = policy.policyOutput(obs.subarray(2 * t, 2 * t + 2));
      logits.forEach((l, j) => assert.ok(Math.abs(l - expected[2 * t + j]) <= LOGIT_TOLERANCE, `${pass}, step ${t}, logit ${j}: ${l} vs ${expected[2 * t + j]}`));
    }
    policy.resetState();
  }
});
