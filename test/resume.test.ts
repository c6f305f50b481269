import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { A3C } from '../src/algo/a3c.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { readEvents, listEventFiles } from '../src/io/tensorboard.js';

const LOGGED_TAGS = [
  'reward', 'reward_100', 'steps_per_s', 'episode_steps',
  'loss_total', 'loss_policy', 'loss_value', 'entropy', 'grad_norm', 'lr', 'adv_mean', 'values_mean', 'staleness_mean', 'staleness_max',
];

test('periodic saves keep the last K snapshots; resume continues counters, optimiser, rewards and the TensorBoard run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-resume-'));
  const store = join(dir, 'ckpt');
  const logdir = join(dir, 'runs');
  const first = await new A3C({ mode: 'a2c', seed: 5, maxSteps: 20_000, checkpoint: store, saveEvery: 4_000, keepCheckpoints: 2, logdir }).learn();
  const snapshots = readdirSync(store).filter((n) => n.startsWith('step-'));
  assert.equal(snapshots.length, 2, `kept ${snapshots.join(', ')}`);
  assert.equal(first.checkpoint, join(store, snapshots.at(-1)!));
  const saved = loadCheckpoint(store);
  assert.equal(saved.counters.envSteps, first.steps);
  assert.equal(saved.counters.episodes, first.episodes);
  assert.equal(saved.recentRewards.length, Math.min(first.episodes, 100), 'a checkpoint keeps the last 100 rewards only');
  assert.ok(Math.abs(saved.recentRewards.reduce((a, b) => a + b, 0) / saved.recentRewards.length - first.meanReward!) < 1e-9);
  assert.equal(saved.runDir, first.runDir);

  const second = await new A3C({ resume: store, maxSteps: 40_000 }).learn();
  assert.equal(second.runDir, first.runDir, 'the TensorBoard run is continued');
  assert.ok(second.steps >= 40_000);
  assert.equal(second.stopReason, 'max-steps');
  const resumed = loadCheckpoint(store);
  assert.equal(resumed.config.seed, 5, 'the checkpoint config is reused');
  assert.ok(resumed.counters.updates > saved.counters.updates);
  assert.ok(resumed.optimizer.step > saved.optimizer.step);
  assert.equal(resumed.optimizer.step, resumed.counters.updates, 'Adam steps continue from the saved count');
  assert.equal(resumed.counters.episodes, second.episodes);
  assert.ok(second.episodes > saved.counters.episodes, 'episodes are counted on from the saved count');
  assert.equal(resumed.recentRewards.length, 100);
  assert.ok(resumed.counters.seconds > saved.counters.seconds);

  const events = listEventFiles(first.runDir!).flatMap((f) => readEvents(f));
  for (const tag of LOGGED_TAGS) assert.ok(events.some((e) => e.tag === tag), `tag ${tag} logged`);
  const rewardSteps = events.filter((e) => e.tag === 'reward').map((e) => e.step);
  assert.equal(rewardSteps.length, second.episodes, 'one reward per episode over both parts');
  assert.ok(rewardSteps.every((s, i) => i === 0 || s >= rewardSteps[i - 1]), 'steps never go back');
  assert.ok(rewardSteps.at(-1)! > saved.counters.envSteps);
});

test('a format-1 checkpoint (every reward kept) loads with its episode count and last 100 rewards', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-v1-'));
  const store = join(dir, 'ckpt');
  await new A3C({ mode: 'a2c', maxSteps: 2_000, checkpoint: store }).learn();
  const snapshot = join(store, readFileSync(join(store, 'latest'), 'utf8').trim());
  const manifestPath = join(snapshot, 'manifest.json');
  const { counters, recentRewards: _, ...manifest } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const { episodes: __, ...v1Counters } = counters;
  const rewards = Array.from({ length: 150 }, (_, i) => i);
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, formatVersion: 1, counters: v1Counters, episodeRewards: rewards, episodeEndSteps: rewards }));
  const loaded = loadCheckpoint(store);
  assert.equal(loaded.counters.episodes, 150);
  assert.deepEqual(loaded.recentRewards, rewards.slice(50));
  const resumed = await new A3C({ resume: store, maxSteps: 3_000 }).learn();
  assert.ok(resumed.episodes > 150);
});

test('a run never writes over another: resume saves into the folder resumed from; a folder holding a run is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-stores-'));
  const original = join(dir, 'original');
  await new A3C({ mode: 'a2c', maxSteps: 4_000, checkpoint: original, saveEvery: 2_000, keepCheckpoints: 5 }).learn();
  const snapshots = () => readdirSync(original).filter((n) => n.startsWith('step-')).sort();
  const before = snapshots();
  assert.throws(() => new A3C({ mode: 'a2c', checkpoint: original }), /^CheckpointError: checkpoint folder .*original already holds a run; continue it with --resume .*original, or choose another folder$/);

  const copy = join(dir, 'copy');
  cpSync(original, copy, { recursive: true });
  const resumed = await new A3C({ resume: copy, maxSteps: 6_000 }).learn();
  assert.equal(resumed.checkpoint?.startsWith(copy), true, `saved into the copy: ${resumed.checkpoint}`);
  assert.deepEqual(snapshots(), before, 'the original is untouched');

  assert.throws(() => new A3C({ resume: join(original, before[0]) }), /is not the latest of .*original/);
  assert.throws(() => new A3C({ resume: original, checkpoint: copy }), /^CheckpointError: checkpoint folder .*copy already holds another run/);
});

test("a resumed run keeps its preset's values and its maxSteps, its linear schedule going on to it; a new maxSteps wins and says so; another preset is refused", async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'a3c-preset-')), 'ckpt');
  const maxSteps = 6_000;
  // Stopped early, as by Ctrl-C: the run means to go on to its maxSteps.
  const first: A3C = new A3C({
    preset: 'baselines-a2c',
    maxSteps,
    checkpoint: store,
    callbacks: { onUpdate: (_, stats) => stats.envSteps >= maxSteps / 3 && first.stop() },
  });
  const interrupted = await first.learn();
  assert.equal(interrupted.stopReason, 'interrupted');
  assert.ok(interrupted.steps < maxSteps);

  const logs: string[] = [];
  const lrs: { lr: number; envSteps: number }[] = [];
  const resumed = new A3C({ resume: store, callbacks: { onLog: (l) => logs.push(l), onUpdate: (update, { envSteps }) => lrs.push({ lr: update.lr, envSteps }) } });
  assert.deepEqual(resumed.config, first.config, 'the saved config, maxSteps included');
  assert.equal(resumed.config.lrSchedule, 'linear');
  const finished = await resumed.learn();
  assert.equal(finished.stopReason, 'max-steps');
  assert.ok(finished.steps >= maxSteps);
  assert.ok(lrs.length > 0);
  for (const { lr, envSteps } of lrs) assert.equal(lr, first.config.lr * Math.max(0, 1 - envSteps / maxSteps), `lr at ${envSteps} env steps`);
  assert.ok(lrs[0].envSteps > interrupted.steps, 'the schedule goes on from the saved env steps');
  assert.deepEqual(logs.filter((l) => l.includes('maxSteps')), [], 'nothing replaced, nothing said');

  assert.throws(() => new A3C({ resume: store }), /^CheckpointError: checkpoint .*: the run has reached its maxSteps 6000 \(at \d+ env steps\); give --max-steps N above \d+ to train on$/);
  const longer = new A3C({ resume: store, maxSteps: 8_000, callbacks: { onLog: (l) => logs.push(l) } });
  const extended = await longer.learn();
  assert.ok(extended.steps >= 8_000);
  assert.deepEqual(logs.filter((l) => l.includes('maxSteps')), ["maxSteps 8000 given: it replaces the run's 6000, where the linear lr schedule now reaches 0"]);
  assert.throws(
    () => new A3C({ resume: store, preset: 'lapan', maxSteps: 10_000 }),
    /^CheckpointError: checkpoint .*: trained with preset baselines-a2c, and a resumed run keeps its saved values; pass the keys to change as flags instead of --preset lapan$/,
  );
});

test('resuming on another env or without a checkpoint gives one clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-resume-'));
  assert.throws(() => new A3C({ resume: join(dir, 'none') }), /^CheckpointError: checkpoint .*none: no such file or folder$/);
  assert.throws(() => new A3C({ saveEvery: 100 }), /saveEvery needs a checkpoint folder/);
});

const SAVER = fileURLToPath(new URL('./fixtures/save-forever.js', import.meta.url));

test('kill -9 during saves never leaves a broken latest checkpoint', async () => {
  for (const delayMs of [150, 260, 370, 480]) {
    const store = join(mkdtempSync(join(tmpdir(), 'a3c-kill-')), 'ckpt');
    const child = spawn(process.execPath, [SAVER, store], { stdio: 'ignore' });
    // Wait for the first complete save, then kill at a moment that falls inside a later one.
    while (!existsSync(join(store, 'latest'))) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, delayMs));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const checkpoint = loadCheckpoint(store);
    assert.ok(checkpoint.counters.envSteps > 0);
    assert.equal(checkpoint.params[0], checkpoint.counters.envSteps, 'the weights are the ones saved with that manifest');
  }
});

test('a3c plot draws a PNG for run folders', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-plot-'));
  const result = await new A3C({ mode: 'a2c', maxSteps: 5_000, logdir: dir }).learn();
  const out = join(dir, 'curve.png');
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const r = spawnSync(process.execPath, [cli, 'plot', result.runDir!, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`wrote ${out} \\(.*: ${result.episodes} episodes\\)`));
  const { readFileSync } = await import('node:fs');
  const png = readFileSync(out);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(png.readUInt32BE(16), 1000);
  assert.equal(png.readUInt32BE(20), 600);
});
