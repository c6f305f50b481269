/**
 * End to end: `a3c web` serves the training page, headless Chromium opens it with train's flags in
 * the address, and the page solves CartPole-v1 in data mode on 2 Web Workers; its checkpoint
 * download is read by Node's eval and play, and a Node checkpoint continues training in the page.
 * A user's env module, served by `a3c web --files`, is loaded by URL and trains in the page.
 * Served without cross-origin isolation, the page falls back to one worker and says why.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import { playCheckpoint } from '../src/algo/training/play.js';
import { envSpec } from '../src/envs/registry.js';
import { loadCheckpoint, resolveCheckpointPath } from '../src/io/checkpoint.js';
import { initBackend } from '../src/nn/kernels/backend.js';
import { chromiumMissing, collectErrors, launchChromium, startWebCommand, waitForStatus } from '../bench/training-page.js';
import { trainSmallCartPoleCheckpoint } from './support/checkpoint-fixtures.js';
import { serveFolder } from './support/serve-folder.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const VITE_CONFIG = fileURLToPath(new URL('../../web/train/vite.config.ts', import.meta.url));
const PAGE_DIR = fileURLToPath(new URL('../web-train/', import.meta.url));
const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
/**
 * The bar is 120 s on an unloaded 2-core box; test machines are often busy, so the test
 * waits much longer and asserts the solve, not the time.
 */
const SOLVE_TIMEOUT_MS = 15 * 60_000;
const START_TIMEOUT_MS = 120_000;
const SKIP = chromiumMissing() ?? false;

interface TestContext {
  after: (fn: () => unknown) => void;
}

/** `a3c web [args]` on a free port, killed after the test; its page's address. */
async function webCommand(t: TestContext, args: string[] = []): Promise<string> {
  const { url, web } = await startWebCommand(args);
  t.after(() => web.child.kill());
  return url;
}

async function openBrowser(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

// The page bundle from the current web/ and src/ sources, where `a3c web` serves it from.
before(() => build({ configFile: VITE_CONFIG, logLevel: 'warn' }));

test('a3c web: the page solves CartPole-v1 in data mode on 2 Web Workers; Node evaluates and plays its downloaded checkpoint', { skip: SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-web-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const url = await webCommand(t);
  const page = await (await openBrowser(t)).newPage({ viewport: { width: 1150, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${url}?env=CartPole-v1&mode=data&workers=2`);

  const solved = await waitForStatus(page, "s.state === 'solved'", SOLVE_TIMEOUT_MS);
  const threshold = envSpec('CartPole-v1').rewardThreshold!;
  assert.equal(solved.solved, true);
  assert.ok(solved.reward100! >= threshold && solved.episodes >= 100, `reward_100 ${solved.reward100} over ${solved.episodes} episodes`);
  assert.deepEqual([solved.mode, solved.workers, solved.crossOriginIsolated], ['data', 2, true]);
  // For the record (the 120 s bar): how long it took here, and how busy the machine was.
  t.diagnostic(`solved in ${solved.seconds.toFixed(1)} s of training, ${solved.steps} env steps, ${solved.episodes} episodes, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  assert.match((await page.textContent('#log')) ?? '', /agents: 2 web workers \(shared parameters\) x \d+ envs/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const archive = join(dir, download.suggestedFilename());
  await download.saveAs(archive);
  assert.match(download.suggestedFilename(), /^CartPole-v1-step-\d+\.tar$/);
  const checkpoint = loadCheckpoint(archive);
  assert.equal(checkpoint.counters.envSteps, solved.steps, 'the download is the final snapshot');
  assert.ok(checkpoint.recentRewards.reduce((a, b) => a + b, 0) / checkpoint.recentRewards.length >= threshold);
  await initBackend({});
  const evaluation = await evaluateCheckpoint(archive, { episodes: 2, seed: 3 });
  const cli = spawnSync(process.execPath, [CLI, 'eval', '--checkpoint', archive, '--episodes', '2', '--seed', '3', '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout), { mean_reward: evaluation.meanReward, episodes: 2 });
  const played = playCheckpoint(checkpoint, { episodes: 1, seed: 3 }, archive);
  assert.equal(played.rewards[0], evaluation.rewards[0], 'play takes it too, and plays the episode eval played');
  // `tar -xf` gives the snapshot folder Node writes.
  const unpacked = join(dir, 'unpacked');
  assert.equal(spawnSync('tar', ['-xf', archive, '-C', dir, '--one-top-level=unpacked']).status, 0);
  assert.deepEqual(readdirSync(join(unpacked, readdirSync(unpacked)[0])).sort(), ['manifest.json', 'model.json', 'optimizer.bin', 'weights.bin']);
  assert.deepEqual(errors, []);
});

test('a Node checkpoint continues training in the page from its counters, and stop ends it', { skip: SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-web-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = join(dir, 'ckpt');
  await trainSmallCartPoleCheckpoint(store, 5);
  const saved = loadCheckpoint(store);
  const snapshot = resolveCheckpointPath(store);
  const url = await webCommand(t);
  const page = await (await openBrowser(t)).newPage();
  const errors = collectErrors(page);
  await page.goto(url);
  await waitForStatus(page, "s.state === 'ready'", START_TIMEOUT_MS);
  await page.setInputFiles('#upload', readdirSync(snapshot).map((name) => join(snapshot, name)));
  const going = await waitForStatus(page, `s.state === 'running' && s.steps > ${saved.counters.envSteps}`, START_TIMEOUT_MS);
  assert.equal(going.mode, saved.config.mode);
  assert.ok(going.episodes > saved.counters.episodes, 'the counters go on from the checkpoint');
  await page.click('#stop');
  await waitForStatus(page, "s.state === 'stopped'", START_TIMEOUT_MS);
  assert.match((await page.textContent('#status')) ?? '', /^Stopped \(interrupted\)/);
  assert.deepEqual(errors, []);
});

test("a user's env module loaded by URL (?env-module=/files/...) trains to its bound in the page on 2 Web Workers", { skip: SKIP }, async (t) => {
  const url = await webCommand(t, ['--files', EXAMPLES_DIR]);
  const page = await (await openBrowser(t)).newPage();
  const errors = collectErrors(page);
  // The README's line for examples/corridor-web.js: its spaces from the page's spaces.js, its registration by export.
  await page.goto(`${url}?env=Corridor-v0&env-module=/files/corridor-web.js%23corridor&mode=data&workers=2`);
  // It solves in seconds: wait for the end, not for a running state it may pass between two polls.
  const solved = await waitForStatus(page, "s.state === 'solved'", SOLVE_TIMEOUT_MS);
  assert.deepEqual([solved.env, solved.mode, solved.workers, solved.crossOriginIsolated, solved.result?.stopReason], ['Corridor-v0', 'data', 2, true, 'solved']);
  assert.ok(solved.steps > 0 && solved.episodes >= 100, `${solved.steps} env steps, ${solved.episodes} episodes`);
  // Corridor-v0's bound (0.9) needs the 7 steps right with at most two detours: learned, not chance.
  assert.ok(solved.reward100! >= 0.9, `reward_100 ${solved.reward100}`);
  assert.match((await page.textContent('#log')) ?? '', /agents: 2 web workers \(shared parameters\)/);
  t.diagnostic(`Corridor-v0 solved in ${solved.seconds.toFixed(1)} s, ${solved.steps} env steps, ${solved.episodes} episodes, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  assert.match((await page.textContent('#notes')) ?? '', /No renderer for Corridor-v0/);
  assert.deepEqual(errors, []);
});

test('served without cross-origin isolation, the page trains on one worker and says why', { skip: SKIP }, async (t) => {
  const { url, server } = await serveFolder(PAGE_DIR);
  t.after(() => server.close());
  const page = await (await openBrowser(t)).newPage();
  const errors = collectErrors(page);
  await page.goto(`${url}?env=CartPole-v1&mode=data&workers=2`);
  const running = await waitForStatus(page, "s.state === 'running' && s.steps > 0", START_TIMEOUT_MS);
  assert.deepEqual([running.crossOriginIsolated, running.workers], [false, 1]);
  const notes = (await page.textContent('#notes')) ?? '';
  assert.match(notes, /not cross-origin isolated .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
  assert.match(notes, /Asked for 2 workers: without cross-origin isolation the page runs 1\./);
  assert.match((await page.textContent('#log')) ?? '', /agents: 1 web workers \(posted parameters\)/);
  await page.click('#stop');
  await waitForStatus(page, "s.state === 'stopped'", START_TIMEOUT_MS);
  assert.deepEqual(errors, []);
});
