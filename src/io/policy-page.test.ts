import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MlpSpec } from '../nn/net-spec.js';
import { mlpParameterShapes } from '../nn/plain-mlp.js';
import { readPagePolicy } from './policy-page.js';

const SPEC: MlpSpec = { kind: 'mlp', obsSize: 2, numActions: 2, hidden: [3] };
/** 2x3 + 3 + 3x2 + 2 + 3x1 + 1 */
const NUM_PARAMS = 21;

function modelJson(spec: unknown, shapes: number[][]) {
  return { netSpec: spec, weightsManifest: [{ paths: ['weights.bin'], weights: shapes.map((shape, i) => ({ name: `v${i}`, shape, dtype: 'float32' })) }] };
}

test('readPagePolicy reads an MLP model.json and its weights', () => {
  const weights = new Float32Array(NUM_PARAMS);
  // Policy head bias (after the hidden layer's 9 values and the head's 6 weights) favours action 1.
  weights[15 + 1] = 1;
  const policy = readPagePolicy(modelJson(SPEC, mlpParameterShapes(SPEC)), weights.buffer);
  assert.deepEqual(policy.spec, SPEC);
  assert.equal(policy.greedyAction([0.5, -0.5]), 1);
});

test('readPagePolicy names what is wrong with the files', () => {
  const weights = new Float32Array(NUM_PARAMS).buffer;
  const shapes = mlpParameterShapes(SPEC);
  assert.throws(() => readPagePolicy(modelJson({ kind: 'atari' }, shapes), weights), /model\.json: the page plays MLP \(classic-control\) policies only; got a network of kind "atari"/);
  assert.throws(() => readPagePolicy({ netSpec: SPEC }, weights), /model\.json has no weightsManifest/);
  assert.throws(() => readPagePolicy(modelJson(SPEC, shapes.slice().reverse()), weights), /model\.json: weights of shapes \[\[1\],\[3,1\],.* are not the float32 \[\[2,3\],\[3\],/);
  assert.throws(() => readPagePolicy(modelJson(SPEC, shapes), new ArrayBuffer(6)), /weights\.bin has 6 bytes, not a whole number of float32 values/);
  assert.throws(() => readPagePolicy(modelJson(SPEC, shapes), new ArrayBuffer(8)), /2 parameters given; the mlp .* has 21/);
});
