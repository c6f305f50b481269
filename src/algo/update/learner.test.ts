import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../nn/kernels/backend.js';
import { createNet } from '../../nn/networks.js';
import { Learner, NonFiniteUpdateError, type LearnerOptions } from './learner.js';

const SPEC = { kind: 'mlp', obsSize: 2, numActions: 2, hidden: [4] } as const;
const OPTIONS: LearnerOptions = { optimizer: 'adam', lr: 0.01, lrSchedule: 'constant', maxSteps: null, adamEps: 1e-3, rmspropAlpha: 0.99, rmspropEps: 1e-5, maxGradNorm: 1 };

function learnerOf(options: Partial<LearnerOptions> = {}): Learner {
  return new Learner(createNet({ ...SPEC, hidden: [...SPEC.hidden] }, 0), { ...OPTIONS, ...options });
}

test('a non-finite loss stops the update with its number and the loss terms, leaving the parameters', async () => {
  await initBackend({});
  const learner = learnerOf();
  const batch = { size: 2, obsSize: 2, obs: Float32Array.of(0.1, 0.2, 0.3, 0.4), actions: Int32Array.of(0, 1), valueTargets: Float32Array.of(1, 2) };
  learner.train(batch, [2], { entCoef: 0.01, valueCoef: 1 });
  learner.train(batch, [2], { entCoef: 0.01, valueCoef: 1 });
  const before = learner.params.slice();
  const poisoned = { ...batch, valueTargets: Float32Array.of(1, NaN) };
  assert.throws(
    () => learner.train(poisoned, [2], { entCoef: 0.01, valueCoef: 1 }),
    (err: Error) =>
      err instanceof NonFiniteUpdateError &&
      /^update 3: non-finite gradient norm \(loss NaN, policy NaN, value NaN, entropy [0-9.]+, grad norm NaN\)$/.test(err.message),
  );
  assert.deepEqual(learner.params, before);
  learner.net.dispose();
});

test('an infinite gradient is named as such; the parameters are not stepped', async () => {
  await initBackend({});
  const learner = learnerOf();
  const before = learner.params.slice();
  const grads = new Float32Array(learner.params.length);
  grads[0] = Infinity;
  const stats = { total: 1, policy: 0.5, value: 0.5, entropy: 0.69, advantageMean: 0, valueMean: 0 };
  assert.throws(() => learner.apply(grads, stats, 4), /^NonFiniteUpdateError: update 1: non-finite gradient norm \(loss 1, policy 0.5, value 0.5, entropy 0.69, grad norm Infinity\)$/);
  assert.deepEqual(learner.params, before);
  learner.net.dispose();
});

test('each step is published and the learner net follows the parameters', async () => {
  await initBackend({});
  const learner = learnerOf();
  const published: Float32Array[] = [];
  learner.onPublish((params) => published.push(params.slice()));
  const grads = new Float32Array(learner.params.length).fill(0.1);
  const stats = { total: 1, policy: 0.5, value: 0.5, entropy: 0.69, advantageMean: 0, valueMean: 0 };
  learner.apply(grads.slice(), stats, 4);
  learner.apply(grads.slice(), stats, 4);
  assert.equal(published.length, 2);
  assert.deepEqual(published[1], learner.params);
  assert.deepEqual(learner.net.getParams(), learner.params);
  learner.net.dispose();
});

test('under a linear schedule the step after k env steps is taken at lr * (1 - k / maxSteps), as a constant-rate learner at that rate takes it', async () => {
  await initBackend({});
  const maxSteps = 1000;
  const k = 250;
  const linear = learnerOf({ lrSchedule: 'linear', maxSteps });
  const constant = learnerOf({ lr: OPTIONS.lr * (1 - k / maxSteps) });
  linear.scheduleLr(k);
  constant.scheduleLr(k);
  assert.equal(linear.optimizer.lr, OPTIONS.lr * (1 - k / maxSteps));
  assert.equal(constant.optimizer.lr, OPTIONS.lr * (1 - k / maxSteps), 'a constant schedule keeps its lr');
  const grads = Float32Array.from({ length: linear.params.length }, (_, i) => ((i % 5) - 2) * 0.1);
  const stats = { total: 1, policy: 0.5, value: 0.5, entropy: 0.69, advantageMean: 0, valueMean: 0 };
  const update = linear.apply(grads.slice(), stats, 4);
  constant.apply(grads.slice(), stats, 4);
  assert.equal(update.lr, linear.optimizer.lr, 'the update reports its rate');
  assert.deepEqual(linear.params, constant.params);
  linear.scheduleLr(maxSteps + 10);
  assert.equal(linear.optimizer.lr, 0, 'no negative rate past maxSteps');
  linear.net.dispose();
  constant.net.dispose();
});
