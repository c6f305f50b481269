import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { evaluateCheckpoint } from '../src/algo/evaluate.js';
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

test('hogwild needs agents that share memory: a transport is refused', () => {
  assert.throws(
    () => new A3C({ mode: 'hogwild', transport: 'redis://127.0.0.1:6399/0', run: 'x' }),
    /^ConfigError: mode hogwild shares parameter memory between agent threads; a transport needs mode data or grad$/,
  );
});
