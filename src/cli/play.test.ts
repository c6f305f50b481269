import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCheckpoint } from '../algo/training/evaluate.js';
import { classicControlScene } from '../io/render/render-frame.js';
import { summariseGif } from '../../test/support/gif-summary.js';
import { trainSmallCartPoleCheckpoint, trainSmallContinuousCheckpoint, writeUntrainedAtariCheckpoint } from '../../test/support/checkpoint-fixtures.js';

/** The ALE's screen: 160 x 210 RGB. */
const ALE_SCREEN_WIDTH_PX = 160;
const ALE_SCREEN_HEIGHT_PX = 210;

const PLAY_MODULE = new URL('./play.js', import.meta.url).href;
const REPO_ROOT = new URL('../../../', import.meta.url);
const CLI_TIMEOUT_MS = 60_000;
const EPISODES = 2;
const SEED = 3;

/** Runs `a3c play ...` through a program that registers only the play command, as main.ts does. */
function a3cPlay(...args: string[]) {
  const program = `
    import { Command } from 'commander';
    import { registerPlayCommand } from ${JSON.stringify(PLAY_MODULE)};
    const program = new Command('a3c');
    registerPlayCommand(program);
    await program.parseAsync();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', program, 'play', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('play prints each episode and the mean, and --record writes one GIF frame per reset and step', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-play-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const checkpoint = join(dir, 'ckpt');
  await trainSmallCartPoleCheckpoint(checkpoint, SEED);
  const gifPath = join(dir, 'episodes.gif');

  const run = a3cPlay('--checkpoint', checkpoint, '--episodes', String(EPISODES), '--seed', String(SEED), '--record', gifPath);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, EPISODES + 2, run.stdout);
  const episodes = lines.slice(0, EPISODES).map((line, i) => {
    const match = /^episode (\d+): reward (\d+) length (\d+)$/.exec(line);
    assert.ok(match, `episode line: ${line}`);
    assert.equal(Number(match[1]), i + 1);
    return { reward: Number(match[2]), length: Number(match[3]) };
  });
  const expected = await evaluateCheckpoint(checkpoint, { episodes: EPISODES, seed: SEED });
  assert.deepEqual(episodes.map((e) => e.reward), expected.rewards, 'the rewards a3c eval reaches with the same seed');
  assert.deepEqual(episodes.map((e) => e.length), expected.lengths);
  assert.equal(lines[EPISODES], `CartPole-v1: mean reward ${expected.meanReward.toFixed(2)} over ${EPISODES} episodes`);

  const steps = expected.lengths.reduce((a, b) => a + b, 0);
  const frames = steps + EPISODES;
  const { widthPx, heightPx, renderFps } = classicControlScene('CartPole-v1');
  assert.match(lines[EPISODES + 1], new RegExp(`^recorded ${frames} frames \\(${(frames / renderFps).toFixed(1)} s at ${renderFps} fps\\) to .*episodes\\.gif$`));
  const gif = summariseGif(readFileSync(gifPath));
  assert.deepEqual([gif.widthPx, gif.heightPx], [widthPx, heightPx]);
  assert.equal(gif.frameDelaysCs.length, frames, 'one frame per reset and per step');
  assert.ok(gif.frameDelaysCs.every((delay) => delay === 100 / renderFps));

  const json = a3cPlay('--checkpoint', checkpoint, '--episodes', String(EPISODES), '--seed', String(SEED), '--json');
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), {
    env: 'CartPole-v1',
    episodes: EPISODES,
    mean_reward: expected.meanReward,
    rewards: expected.rewards,
    lengths: expected.lengths,
    gif: null,
    gif_frames: 0,
  });
});

test('play --record draws continuous-control episodes as Gymnasium does: Pendulum-v1 and MountainCarContinuous-v0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-play-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const env of ['Pendulum-v1', 'MountainCarContinuous-v0'] as const) {
    const checkpoint = join(dir, env);
    await trainSmallContinuousCheckpoint(checkpoint, env, SEED);
    const gifPath = join(dir, `${env}.gif`);
    const run = a3cPlay('--checkpoint', checkpoint, '--seed', String(SEED), '--record', gifPath, '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout.trim());
    const expected = await evaluateCheckpoint(checkpoint, { episodes: 1, seed: SEED });
    assert.deepEqual(summary.rewards, expected.rewards, `${env}: the mean actions a3c eval takes`);
    assert.equal(summary.gif_frames, summary.lengths[0] + 1);
    const { widthPx, heightPx } = classicControlScene(env);
    const gif = summariseGif(readFileSync(gifPath));
    assert.deepEqual([gif.widthPx, gif.heightPx], [widthPx, heightPx]);
    assert.equal(gif.frameDelaysCs.length, summary.gif_frames);
  }
});

test('play --record on Atari writes the emulator\'s RGB frames, one per reset and step', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-play-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const atari = join(dir, 'pong');
  await writeUntrainedAtariCheckpoint(atari);
  const gifPath = join(dir, 'pong.gif');
  const run = a3cPlay('--checkpoint', atari, '--record', gifPath, '--json');
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout.trim());
  assert.equal(summary.env, 'PongNoFrameskip-v4');
  assert.equal(summary.gif_frames, summary.lengths[0] + 1);
  const gif = summariseGif(readFileSync(gifPath));
  assert.equal(gif.frameSizesPx.length, summary.gif_frames);
  assert.deepEqual([gif.widthPx, gif.heightPx], [ALE_SCREEN_WIDTH_PX, ALE_SCREEN_HEIGHT_PX]);
});

test('play reports a missing checkpoint in one line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-play-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string[], RegExp][] = [[['--checkpoint', join(dir, 'missing')], /^a3c: checkpoint .*missing: no such file or folder$/]];
  for (const [args, expected] of cases) {
    const run = a3cPlay(...args);
    assert.equal(run.code, 1, args.join(' '));
    assert.match(run.stderr.trim(), expected);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  }
});

test('play --record makes the GIF\'s folder and refuses a name that is not a .gif before playing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-play-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const checkpoint = join(dir, 'ckpt');
  await trainSmallCartPoleCheckpoint(checkpoint, SEED);
  const wrong = a3cPlay('--checkpoint', checkpoint, '--record', join(dir, 'episode.png'));
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stdout, '', 'nothing was played');
  assert.equal(wrong.stderr.trim(), `a3c: --record writes a GIF file; give it a name ending in .gif, got ${join(dir, 'episode.png')}`);
  const nested = join(dir, 'new', 'folder', 'episode.gif');
  const run = a3cPlay('--checkpoint', checkpoint, '--record', nested);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(summariseGif(readFileSync(nested)).frameDelaysCs.length > 0);
});
