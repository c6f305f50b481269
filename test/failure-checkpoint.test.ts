import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { TRANSPORT_SAVE_EVERY } from '../src/algo/config/config.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { holdsRun, latestSnapshot, snapshotName } from '../src/io/checkpoint-store.js';
import { redisSkipReason, startRedis } from './support/redis-server.js';

const FAIL_AT_UPDATE = 5;
const INJECTED = 'injected trainer failure';

function tempStore(): string {
  return join(mkdtempSync(join(tmpdir(), 'a3c-failure-')), 'ckpt');
}

test('a run whose trainer fails mid-run saves its last parameters: a loadable, finite checkpoint that --resume continues; the error still ends the run', async () => {
  const store = tempStore();
  const logs: string[] = [];
  let atFailure: Float32Array | null = null;
  const a3c = new A3C({
    mode: 'a2c',
    seed: 3,
    maxSteps: 1_000_000,
    stopReward: 1e9,
    checkpoint: store,
    callbacks: {
      onLog: (line) => logs.push(line),
      onUpdate: (_update, stats) => {
        if (stats.updates !== FAIL_AT_UPDATE) return;
        atFailure = a3c.checkpoint().params.slice();
        throw new Error(INJECTED);
      },
    },
  });
  await assert.rejects(a3c.learn(), { message: INJECTED });
  const saved = loadCheckpoint(store);
  assert.equal(saved.counters.updates, FAIL_AT_UPDATE);
  assert.ok(saved.params.every(Number.isFinite));
  assert.deepEqual(saved.params, atFailure, 'the parameters of the last update before the failure');
  const path = join(store, snapshotName(saved.counters.envSteps));
  assert.ok(
    logs.includes(`the run failed (Error): saved its last parameters (${saved.counters.envSteps} env steps, ${FAIL_AT_UPDATE} updates) to ${path}; continue with --resume ${store}`),
    logs.join('\n'),
  );

  const resumed = await new A3C({ resume: store, maxSteps: saved.counters.envSteps + 2_000 }).learn();
  assert.equal(resumed.stopReason, 'max-steps');
  assert.ok(loadCheckpoint(store).counters.updates > FAIL_AT_UPDATE);
});

test('a run that fails with non-finite parameters leaves latest at its last good periodic save, and says so', async () => {
  const store = tempStore();
  const logs: string[] = [];
  let lastGood: string | null = null;
  const a3c = new A3C({
    mode: 'a2c',
    seed: 3,
    maxSteps: 1_000_000,
    stopReward: 1e9,
    checkpoint: store,
    saveEvery: 500,
    callbacks: {
      onLog: (line) => logs.push(line),
      // The user's callbacks run before the periodic save: `latest` is that of an earlier update.
      onUpdate: () => {
        lastGood = latestSnapshot(store);
        if (lastGood === null) return;
        a3c.checkpoint().params[0] = Number.NaN;
        throw new Error(INJECTED);
      },
    },
  });
  await assert.rejects(a3c.learn(), { message: INJECTED });
  assert.notEqual(lastGood, null);
  assert.equal(latestSnapshot(store), lastGood, 'latest is not replaced');
  assert.ok(loadCheckpoint(store).params.every(Number.isFinite));
  assert.ok(logs.includes(`the run failed (Error) with non-finite parameters: not saved, so ${store}/latest still names ${basename(lastGood!)}`), logs.join('\n'));
});

test('a new run that fails before its first update leaves its checkpoint folder empty, free for the same command again', async () => {
  const store = tempStore();
  let updatesAtFailure: number | null = null;
  const a3c = new A3C({
    mode: 'a2c',
    maxSteps: 1_000_000,
    checkpoint: store,
    callbacks: {
      // The first message's episodes are counted before its work is trained on.
      onEpisodes: (_episodes, stats) => {
        updatesAtFailure = stats.updates;
        throw new Error(INJECTED);
      },
    },
  });
  await assert.rejects(a3c.learn(), { message: INJECTED });
  assert.equal(updatesAtFailure, 0);
  assert.equal(holdsRun(store), false);
});

const skip = redisSkipReason() ?? false;

test('over Redis: a run with a checkpoint folder saves periodically by default and on failure; one without says at start that it keeps none', { skip }, async () => {
  const redis = await startRedis();
  try {
    const store = tempStore();
    const a3c = new A3C({
      mode: 'data',
      transport: redis.url,
      run: 'failing-run',
      workers: 1,
      maxSteps: 1_000_000,
      stopReward: 1e9,
      checkpoint: store,
      callbacks: {
        onUpdate: (_update, stats) => {
          if (stats.updates === FAIL_AT_UPDATE) throw new Error(INJECTED);
        },
      },
    });
    assert.equal(a3c.config.saveEvery, TRANSPORT_SAVE_EVERY);
    await assert.rejects(a3c.learn(), { message: INJECTED });
    const saved = loadCheckpoint(store);
    assert.equal(saved.counters.updates, FAIL_AT_UPDATE);
    assert.ok(saved.params.every(Number.isFinite));
    assert.equal(saved.config.saveEvery, TRANSPORT_SAVE_EVERY, 'and a resumed run keeps saving so');

    const logs: string[] = [];
    const result = await new A3C({
      mode: 'data',
      transport: redis.url,
      run: 'unsaved-run',
      workers: 1,
      maxSteps: 1_000,
      stopReward: 1e9,
      callbacks: { onLog: (line) => logs.push(line) },
    }).learn();
    assert.equal(result.checkpoint, null);
    assert.equal(
      logs[0],
      `no --checkpoint folder: this run keeps no checkpoint, and a trainer that fails loses its training (with --checkpoint DIR it saves every ${TRANSPORT_SAVE_EVERY} env steps)`,
    );
  } finally {
    await redis.kill();
  }
});
