import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import { INITIAL_COUNT } from '../src/envs/running-mean-std.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';

/** Pendulum-v1's preset normalises observations and rewards; synchronous A2C counts its steps exactly. */
const ENVS = 16;

test('checkpoints keep the merged normalisation statistics; resume continues them, eval normalises with them', async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'a3c-normalization-')), 'ckpt');
  const first = await new A3C({ env: 'Pendulum-v1', mode: 'a2c', seed: 2, maxSteps: 4_000, checkpoint: store }).learn();
  const saved = loadCheckpoint(store).normalization;
  assert.ok(saved, 'the checkpoint holds the statistics');
  // SB3's prior, the first observation of each env copy, then one per copy and step.
  assert.ok(Math.abs(saved.obs.count - (INITIAL_COUNT + ENVS + first.steps)) < 1e-6, `${saved.obs.count} observations after ${first.steps} steps`);
  assert.equal(saved.obs.mean.length, 3);
  assert.ok(saved.obs.var.every((v) => v > 0));
  assert.ok(Math.abs(saved.ret.count - (INITIAL_COUNT + first.steps)) < 1e-6);

  const second = await new A3C({ resume: store, maxSteps: first.steps + 2_000 }).learn();
  const resumed = loadCheckpoint(store).normalization!;
  // The resumed run's copies start new episodes: their first observations count again.
  assert.ok(Math.abs(resumed.obs.count - (saved.obs.count + ENVS + (second.steps - first.steps))) < 1e-6, 'the counts continue the saved ones');

  const evaluation = await evaluateCheckpoint(store, { episodes: 2 });
  assert.equal(evaluation.lengths.join(), '200,200');
});
