import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';

const WORKERS = 2;

test('hogwild checkpoints carry the shared RMSProp statistics; resume continues them, eval plays the shared parameters', async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'a3c-hogwild-')), 'ckpt');
  // A constant lr: a linear one reaches 0 at maxSteps, and the resumed run goes on from there.
  const first = await new A3C({ mode: 'hogwild', workers: WORKERS, seed: 4, maxSteps: 30_000, lrSchedule: 'constant', stopReward: 1e9, checkpoint: store }).learn();
  assert.equal(first.stopReason, 'max-steps');
  const saved = loadCheckpoint(store);
  assert.equal(saved.optimizer.name, 'shared-rmsprop');
  const squareAvg = saved.optimizer.buffers.squareAvg;
  assert.equal(squareAvg.length, saved.params.length);
  assert.ok(squareAvg.some((g2) => g2 > 0), 'the agents updated the shared statistics');
  assert.equal(saved.counters.updates, first.updates);

  // A few more updates: RMSProp's average decays by 0.99 per update, so every entry stays near its
  // saved value only if resume started from the saved statistics, not from zeros.
  const second = await new A3C({ resume: store, maxSteps: first.steps + 1 }).learn();
  const updates = second.updates - first.updates;
  assert.ok(updates >= 1 && updates <= 10, `${updates} updates after resuming`);
  const resumed = loadCheckpoint(store);
  assert.notDeepEqual(resumed.params, saved.params);
  // Each agent may also have applied updates the trainer stopped before counting: one being
  // computed and one queued, per agent; a loaded machine can leave both uncounted.
  const floor = 0.99 ** (updates + 4 * WORKERS);
  assert.ok(resumed.optimizer.buffers.squareAvg.every((g2, i) => g2 >= floor * squareAvg[i] * (1 - 1e-5)), 'the statistics continue the saved ones');
  const evaluation = await evaluateCheckpoint(store, { episodes: 2 });
  assert.equal(evaluation.episodes, 2);
});

test("hogwild with several threads counts every update: updates x gradBatch match the env steps, a shared Adam's step count equals them, and resume continues both", async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'a3c-hogwild-adam-')), 'ckpt');
  // The run: 3 threads of 8 envs, 5-step returns; updates of 40 transitions.
  const run = { mode: 'hogwild', optimizer: 'adam', workers: 3, envsPerWorker: 8, nSteps: 5, gradBatch: 40, lrSchedule: 'constant', stopReward: 1e9 } as const;
  const first = await new A3C({ ...run, seed: 2, maxSteps: 20_000, checkpoint: store }).learn();
  const saved = loadCheckpoint(store);
  assert.equal(saved.optimizer.name, 'shared-adam');
  assert.equal(saved.counters.updates, first.updates);
  assert.equal(saved.optimizer.step, saved.counters.updates, "the agents' shared step count is the run's update count");
  assert.equal(saved.counters.trainedSamples, first.updates * run.gradBatch);
  // Env steps count as messages are read; an update counts once applied. A read message's steps
  // run ahead of its updates by at most nSteps steps of each env copy (first-last windows not yet
  // emitted, a collect's leftover); an agent's last update or two may never be read (one queued,
  // one blocked in send, maxQueuedPerWorker 1).
  const ahead = first.steps - first.updates * run.gradBatch;
  assert.ok(ahead < run.workers * run.nSteps * run.envsPerWorker && -ahead <= run.workers * 2 * run.gradBatch, `${first.steps} env steps, ${first.updates} updates of ${run.gradBatch}`);
  assert.ok(saved.optimizer.buffers.expAvgSq.some((v) => v > 0), 'the agents updated the shared moments');

  const second = await new A3C({ resume: store, maxSteps: first.steps + 2_000 }).learn();
  const resumed = loadCheckpoint(store);
  const steps = resumed.optimizer.step - saved.optimizer.step;
  assert.ok(steps > 0, `${steps} Adam steps after resuming`);
  assert.equal(resumed.optimizer.step, resumed.counters.updates, 'the step count goes on from the saved one');
  assert.equal(resumed.counters.updates, second.updates);
  // Adam's second moment decays by beta2 0.999 per step, so every entry stays above its saved
  // value decayed that many times only if resume started from the saved moments, not from zeros.
  const floor = 0.999 ** steps;
  assert.ok(resumed.optimizer.buffers.expAvgSq.every((v, i) => v >= floor * saved.optimizer.buffers.expAvgSq[i] * (1 - 1e-5)), 'the moments continue the saved ones');
});

test('hogwild needs agents that share memory: a transport is refused', () => {
  assert.throws(
    () => new A3C({ mode: 'hogwild', transport: 'redis://127.0.0.1:6399/0', run: 'x' }),
    /^ConfigError: mode hogwild shares parameter memory between agent threads; a transport needs mode data or grad$/,
  );
});
