import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import type { EvalSummary } from '../src/algo/training/training-context.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { METRICS_CSV_NAME, readMetricsCsv } from '../src/io/metrics-csv.js';
import { listEventFiles, readEvents } from '../src/io/tensorboard.js';

const EVAL_EVERY = 5_000;
const EVAL_EPISODES = 3;
/** The seed of evaluation episodes (periodic-evaluation.ts): greedy play from it is deterministic. */
const EVAL_SEED = 1_000_000;

test('--eval-every evaluates the greedy policy, logs eval_reward and keeps the best policy in best/', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-eval-'));
  const store = join(dir, 'ckpt');
  const evaluations: EvalSummary[] = [];
  const result = await new A3C({
    mode: 'a2c',
    seed: 3,
    maxSteps: 40_000,
    stopReward: 1e9,
    evalEvery: EVAL_EVERY,
    evalEpisodes: EVAL_EPISODES,
    checkpoint: store,
    logdir: join(dir, 'runs'),
    callbacks: { onEval: (r) => evaluations.push(r) },
  }).learn();
  assert.ok(evaluations.length >= 7 && evaluations.length <= 8, `${evaluations.length} evaluations`);
  const best = Math.max(...evaluations.map((e) => e.meanReward));
  assert.deepEqual(
    evaluations.map((e) => e.best),
    evaluations.map((e, i) => evaluations.slice(0, i).every((earlier) => e.meanReward > earlier.meanReward)),
  );

  // best/ is a whole checkpoint whose greedy policy scores, on the evaluation seeds, the best mean
  // seen: the peak's policy, whatever the run did after it.
  const bestPath = join(store, 'best');
  const saved = loadCheckpoint(bestPath);
  assert.equal(saved.bestEvalReward, best);
  const replay = await evaluateCheckpoint(bestPath, { episodes: EVAL_EPISODES, seed: EVAL_SEED });
  assert.equal(replay.meanReward, best);
  assert.equal(loadCheckpoint(store).bestEvalReward, best, 'the final checkpoint remembers the best too');

  const events = listEventFiles(result.runDir!).flatMap((f) => readEvents(f));
  assert.equal(events.filter((e) => e.tag === 'eval_reward').length, evaluations.length);

  assert.throws(() => new A3C({ resume: bestPath }), /is not the latest of .*ckpt.*pass --checkpoint with a new folder to branch off$/);
  const branch = join(dir, 'from-best');
  const resumed = await new A3C({ resume: bestPath, checkpoint: branch, maxSteps: saved.counters.envSteps + 5_000 }).learn();
  assert.equal(resumed.stopReason, 'max-steps', 'best/ resumes like any checkpoint');
  assert.equal(loadCheckpoint(branch).counters.envSteps, resumed.steps);
});

test('with --eval-every, solved is the first greedy evaluation reaching the stop reward, and the CSV has both means', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-eval-solved-'));
  const stopReward = 150;
  const evaluations: { meanReward: number; envSteps: number }[] = [];
  const result = await new A3C({
    mode: 'a2c',
    seed: 3,
    maxSteps: 400_000,
    stopReward,
    evalEvery: EVAL_EVERY,
    evalEpisodes: EVAL_EPISODES,
    logdir: join(dir, 'runs'),
    callbacks: { onEval: (r, stats) => evaluations.push({ meanReward: r.meanReward, envSteps: stats.envSteps }) },
  }).learn();
  assert.equal(result.stopReason, 'solved');
  assert.equal(result.solved, true);
  const last = evaluations[evaluations.length - 1];
  assert.ok(last.meanReward >= stopReward, `last evaluation ${last.meanReward}`);
  assert.ok(evaluations.slice(0, -1).every((e) => e.meanReward < stopReward), 'it stops at the first evaluation reaching the bound');
  assert.equal(result.evalReward, last.meanReward);
  assert.ok(result.steps - last.envSteps < EVAL_EVERY, 'and stops there, not at a later mean-100');

  const rows = readMetricsCsv(join(result.runDir!, METRICS_CSV_NAME));
  assert.deepEqual(
    rows.filter((r) => r.tag === 'eval_reward').map((r) => [r.step, r.value]),
    evaluations.map((e) => [e.envSteps, e.meanReward]),
  );
  assert.ok(rows.some((r) => r.tag === 'reward_100'));
});
