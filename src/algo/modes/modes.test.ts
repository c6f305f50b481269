import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../nn/kernels/backend.js';
import { createNet, type MlpSpec } from '../../nn/networks.js';
import { Rng } from '../../utils/rng.js';
import { type TrainConfig } from '../config/config.js';
import { resolveConfig } from '../training/resolve-config.js';
import { Learner } from '../update/learner.js';
import type { TransitionArrays } from '../rollout/transition-batch.js';
import { a2cMode } from './a2c.js';
import { dataMode } from './data.js';
import { gradMode } from './grad.js';
import { ADAM_STEP, EXP_AVG, EXP_AVG_SQ, hogwildMode, SQUARE_AVG } from './hogwild.js';
import { lossGradients } from '../update/learner.js';
import { scheduledLr } from '../update/lr-schedule.js';
import { clipGradNorm } from '../../nn/gradients.js';
import { DEFAULT_ADAM_ARGS, DEFAULT_RMSPROP_ARGS } from '../../nn/optimizers.js';
import type { SharedMemory } from '../../parallel/transport.js';
import type { ModeContext } from './mode.js';

const SPEC: MlpSpec = { kind: 'mlp', obsSize: 4, numActions: 3, hidden: [16] };
const BATCH = 12;
const NET_SEED = 7;

function randomBatch(rng: Rng, size: number): TransitionArrays {
  const obs = Float32Array.from({ length: size * SPEC.obsSize }, () => rng.random() * 2 - 1);
  const actions = Int32Array.from({ length: size }, () => Math.floor(rng.random() * SPEC.numActions));
  const valueTargets = Float32Array.from({ length: size }, () => rng.random() * 4 - 2);
  return { size, obsSize: SPEC.obsSize, obs, actions, valueTargets };
}

function slice(batch: TransitionArrays, from: number, to: number): TransitionArrays {
  const o = batch.obsSize;
  return {
    size: to - from,
    obsSize: o,
    obs: batch.obs.slice(from * o, to * o),
    actions: batch.actions.slice(from, to),
    valueTargets: batch.valueTargets.slice(from, to),
  };
}

function setUp(overrides: Partial<TrainConfig>): { learner: Learner; context: ModeContext; before: Float32Array } {
  const config = resolveConfig({ batchSize: BATCH, gradBatch: BATCH, trainBatch: 1, microBatch: BATCH / 3, maxGradNorm: 0.5, ...overrides });
  const learner = new Learner(createNet(SPEC, NET_SEED), config);
  return { learner, context: { config, obsShape: [SPEC.obsSize], shared: null, envStepsAtStart: 0 }, before: learner.params.slice() };
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

test('data, grad and a2c make the same parameter update from the same parameters and batch', async () => {
  await initBackend({});
  const batch = randomBatch(new Rng(3), BATCH);

  const a2c = setUp({ mode: 'a2c' });
  const a2cUpdate = a2cMode.trainer(a2c.learner, a2c.context).receive(a2cMode.agent(a2c.learner.net, a2c.context).process(batch));
  assert.ok(a2cUpdate !== null);
  assert.equal(a2cUpdate.samples, BATCH);
  const step = a2c.learner.params.map((p, i) => p - a2c.before[i]);
  assert.ok(maxAbsDifference(a2c.learner.params, a2c.before) > 1e-4, 'the update moves the parameters');

  // Data mode: the agents' micro-batches reach the trainer one by one; it steps once on all of them.
  const data = setUp({ mode: 'data' });
  const dataAgent = dataMode.agent(data.learner.net, data.context);
  const dataTrainer = dataMode.trainer(data.learner, data.context);
  const micro = dataAgent.rolloutSize;
  const updates = [0, 1, 2].map((k) => dataTrainer.receive(dataAgent.process(slice(batch, k * micro, (k + 1) * micro))));
  assert.deepEqual(updates.map((u) => u === null), [true, true, false], 'one update, after the third micro-batch');

  // Grad mode: an agent with its own copy of the same parameters computes the gradient.
  const grad = setUp({ mode: 'grad' });
  const agentNet = createNet(SPEC, NET_SEED + 1);
  agentNet.setParams(grad.learner.params);
  const gradUpdate = gradMode.trainer(grad.learner, grad.context).receive(gradMode.agent(agentNet, grad.context).process(batch));
  assert.ok(gradUpdate !== null);
  agentNet.dispose();

  for (const [name, other, update] of [['data', data, updates[2]!], ['grad', grad, gradUpdate]] as const) {
    const otherStep = other.learner.params.map((p, i) => p - other.before[i]);
    assert.ok(maxAbsDifference(otherStep, step) < 1e-6, `${name}'s step equals a2c's (max difference ${maxAbsDifference(otherStep, step)})`);
    assert.ok(Math.abs(update.total - a2cUpdate.total) < 1e-5, `${name}'s loss equals a2c's`);
    assert.ok(Math.abs(update.gradNorm - a2cUpdate.gradNorm) < 1e-4, `${name}'s gradient norm equals a2c's`);
  }
  for (const { learner } of [a2c, data, grad]) learner.net.dispose();
});

test('grad mode sums trainBatch gradient sets before one step, and averages their loss statistics', async () => {
  await initBackend({});
  const batch = randomBatch(new Rng(4), BATCH);
  const halves = [slice(batch, 0, BATCH / 2), slice(batch, BATCH / 2, BATCH)];
  const { learner, context, before } = setUp({ mode: 'grad', gradBatch: BATCH / 2, trainBatch: 2 });
  const agent = gradMode.agent(learner.net, context);
  const works = halves.map((h) => agent.process(h));
  const trainer = gradMode.trainer(learner, context);
  assert.equal(trainer.receive(works[0]), null);
  const update = trainer.receive(works[1]);
  assert.ok(update !== null);
  assert.equal(update.samples, BATCH);
  assert.ok(Math.abs(update.total - (works[0].stats.total + works[1].stats.total) / 2) < 1e-6);

  // The same step taken by hand: Adam on the sum of both gradients.
  const expected = setUp({ mode: 'grad' });
  expected.learner.params.set(before);
  const sum = works[0].grads.map((g, i) => g + works[1].grads[i]);
  expected.learner.apply(sum, update, BATCH);
  assert.ok(maxAbsDifference(learner.params, expected.learner.params) < 1e-7);
  learner.net.dispose();
  expected.learner.net.dispose();
});

test("each mode's trainer checks work from another process: types, lengths, action range", async () => {
  await initBackend({});
  const batch = randomBatch(new Rng(5), BATCH);
  const data = setUp({ mode: 'data' });
  const dataTrainer = dataMode.trainer(data.learner, data.context);
  const micro = slice(batch, 0, BATCH / 3);
  assert.equal(dataTrainer.check(micro), null);
  assert.equal(dataTrainer.check({ ...micro, obs: micro.obs.slice(1) }), 'transitions: obs is a Float32Array of 15, expected a Float32Array or Uint8Array of 16');
  assert.equal(dataTrainer.check({ ...micro, actions: Int32Array.of(0, 1, 3, 0) }), 'transitions: action 3 in row 2 is outside [0, 3)');
  assert.equal(dataTrainer.check({ ...micro, valueTargets: Array.from(micro.valueTargets) }), 'transitions: valueTargets is an array, expected a Float32Array of 4');
  assert.equal(dataTrainer.check(batch), `transitions: size ${BATCH}, expected ${BATCH / 3}`);
  const a2c = setUp({ mode: 'a2c' });
  assert.equal(a2cMode.trainer(a2c.learner, a2c.context).check(batch), null);
  const grad = setUp({ mode: 'grad' });
  const gradTrainer = gradMode.trainer(grad.learner, grad.context);
  const work = gradMode.agent(grad.learner.net, grad.context).process(batch);
  assert.equal(gradTrainer.check(work), null);
  assert.equal(gradTrainer.check({ ...work, grads: work.grads.subarray(1) }), `gradient: grads is a Float32Array of ${work.grads.length - 1}, expected a Float32Array of ${work.grads.length} (the net's parameters)`);
  const statsProblem = 'gradient: stats must hold finite numbers within ±1e+30: total, policy, value, entropy, advantageMean, valueMean';
  assert.equal(gradTrainer.check({ ...work, stats: { total: 1 } }), statsProblem);
  assert.equal(gradTrainer.check({ ...work, stats: { ...work.stats, value: NaN } }), statsProblem);
  const spoiled = (value: number) => {
    const grads = work.grads.slice();
    grads[3] = value;
    return { ...work, grads };
  };
  assert.equal(gradTrainer.check(spoiled(-Infinity)), 'gradient: grads[3] is -Infinity, not a finite number within ±1e+30');
  assert.equal(gradTrainer.check(spoiled(1e31)), `gradient: grads[3] is ${Math.fround(1e31)}, not a finite number within ±1e+30`);
  assert.equal(gradTrainer.check(spoiled(1e29)), null);
  assert.equal(gradTrainer.check(null), 'gradient: expected an object, got null');
  for (const { learner } of [data, a2c, grad]) learner.net.dispose();
});

test('hogwild: an agent applies its clipped gradient itself to the shared parameters with the shared RMSProp statistics', async () => {
  await initBackend({});
  const batch = randomBatch(new Rng(5), BATCH);
  const config = resolveConfig({ mode: 'hogwild', gradBatch: BATCH, maxSteps: 10 * BATCH, lr: 0.01 });
  const net = createNet(SPEC, NET_SEED);
  const start = net.getParams();
  const params = start.slice();
  const squareAvg = Float32Array.from({ length: params.length }, (_, i) => (i % 7) * 1e-3);
  let version = 3;
  const shared: SharedMemory = { params, array: (name) => (name === SQUARE_AVG ? squareAvg : new Float32Array(0)), bumpVersion: () => ++version };
  // A resumed run: 2 * BATCH env steps before this process.
  const context = { config, obsShape: [SPEC.obsSize], shared, envStepsAtStart: 2 * BATCH };

  // By hand: the gradient of the loss, clipped, then RMSProp (alpha 0.99, eps 0.1) at the lr
  // annealed after the resumed run's env steps and the 3 updates made in this process before this one.
  const { grads } = lossGradients(net, batch, [SPEC.obsSize], config);
  const norm = clipGradNorm(grads, config.maxGradNorm);
  assert.equal(config.lrSchedule, 'linear', "hogwild's default schedule where maxSteps is set");
  const lr = scheduledLr(config, 5 * BATCH);
  assert.ok(Math.abs(lr - 0.01 * 0.5) < 1e-12);
  const { alpha, eps } = DEFAULT_RMSPROP_ARGS;
  const expectedAvg = squareAvg.map((g2, i) => alpha * g2 + (1 - alpha) * grads[i] * grads[i]);
  const expected = start.map((p, i) => p - (lr * grads[i]) / Math.sqrt(expectedAvg[i] + eps));

  const work = hogwildMode.agent(net, context).process(batch);
  assert.equal(version, 4, 'the update is counted');
  assert.ok(maxAbsDifference(params, expected) < 1e-6, `shared parameters step as RMSProp does (max difference ${maxAbsDifference(params, expected)})`);
  assert.ok(maxAbsDifference(squareAvg, expectedAvg) < 1e-9, 'the shared statistics are updated in place');
  assert.ok(Math.abs(work.gradNorm - norm) < 1e-4);
  assert.equal(work.lr, lr);
  assert.equal(work.samples, BATCH);

  // The trainer half only takes the shared parameters into its learner and reports the update.
  const learner = new Learner(createNet(SPEC, NET_SEED + 2), config);
  const trainer = hogwildMode.trainer(learner, context);
  assert.equal(trainer.check(work), null);
  assert.match(trainer.check({ ...work, samples: 3 })!, /samples 3, expected 12/);
  const update = trainer.receive(work);
  assert.deepEqual(learner.params, params);
  assert.equal(update?.samples, BATCH);
  net.dispose();
  learner.net.dispose();
});

test("hogwild with adam: an agent's bias correction 1 - beta^t uses the step count every agent shares, and the trainer's optimiser sees it", async () => {
  await initBackend({});
  const batch = randomBatch(new Rng(6), BATCH);
  const config = resolveConfig({ mode: 'hogwild', optimizer: 'adam', gradBatch: BATCH, lr: 0.01 });
  const net = createNet(SPEC, NET_SEED);
  const start = net.getParams();
  const params = start.slice();
  // The trainer makes the shared arrays before the agents start (A3C.learn, through the transport).
  const arrays = new Map<string, Float32Array>();
  const trainerOptimizer = hogwildMode.optimizer!(params.length, config, (name, length) => {
    arrays.set(name, new Float32Array(length));
    return arrays.get(name)!;
  });
  assert.equal(trainerOptimizer.name, 'shared-adam');
  assert.deepEqual([...arrays.keys()].sort(), [ADAM_STEP, EXP_AVG, EXP_AVG_SQ].sort());
  // Other agents have made 5 updates: moments of theirs, and the shared step count at 5.
  const [expAvg, expAvgSq] = [arrays.get(EXP_AVG)!, arrays.get(EXP_AVG_SQ)!];
  expAvg.set(Float32Array.from({ length: params.length }, (_, i) => ((i % 5) - 2) * 1e-3));
  expAvgSq.set(Float32Array.from({ length: params.length }, (_, i) => (i % 3) * 1e-5));
  const step = arrays.get(ADAM_STEP)!;
  const stepCount = new Int32Array(step.buffer, step.byteOffset, 1);
  stepCount[0] = 5;
  assert.equal(trainerOptimizer.state().step, 5);
  let version = 6;
  const shared: SharedMemory = { params, array: (name) => arrays.get(name)!, bumpVersion: () => ++version };
  const context = { config, obsShape: [SPEC.obsSize], shared, envStepsAtStart: 0 };

  // By hand: torch's Adam at t = 6, the sixth step on these moments.
  const { grads } = lossGradients(net, batch, [SPEC.obsSize], config);
  clipGradNorm(grads, config.maxGradNorm);
  const { beta1, beta2 } = DEFAULT_ADAM_ARGS;
  const m = Array.from(expAvg, (m0, i) => beta1 * m0 + (1 - beta1) * grads[i]);
  const v = Array.from(expAvgSq, (v0, i) => beta2 * v0 + (1 - beta2) * grads[i] * grads[i]);
  const adamAt = (t: number) => Array.from(start, (p, i) => p - ((config.lr / (1 - beta1 ** t)) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(1 - beta2 ** t) + config.adamEps));
  const expected = adamAt(6);

  hogwildMode.agent(net, context).process(batch);
  assert.equal(stepCount[0], 6, 'the shared step count counts the update');
  assert.equal(trainerOptimizer.state().step, 6, "the trainer's optimiser (checkpoints) sees the agents' steps");
  const difference = maxAbsDifference(params, Float32Array.from(expected));
  assert.ok(difference < 1e-6, `shared parameters step as Adam at t = 6 (max difference ${difference})`);
  const ownCount = maxAbsDifference(Float32Array.from(adamAt(1)), Float32Array.from(expected));
  assert.ok(ownCount > 100 * difference, `an agent counting its own steps (t = 1) would land elsewhere: ${ownCount}`);
  assert.ok(maxAbsDifference(expAvgSq, Float32Array.from(v)) < 1e-9, 'the shared moments are updated in place');
  net.dispose();
});

test("staleness is each mode's: hogwild's agent counted its own update in the version before it sent", () => {
  for (const mode of [dataMode, gradMode, a2cMode]) assert.equal(mode.versionsBehind(7, 5), 2, mode.name);
  assert.equal(hogwildMode.versionsBehind(7, 5), 1);
  assert.equal(hogwildMode.versionsBehind(6, 5), 0, 'only its own update since it read the parameters');
});
