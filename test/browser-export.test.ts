/**
 * End to end: export a checkpoint's policy page, open it in headless Chromium and check that the
 * browser plays the episode Node plays with the same seed.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import { playCheckpoint } from '../src/algo/training/play.js';
import { exportPolicyPage } from '../src/cli/export.js';
import type { StatefulEnv } from '../src/envs/core.js';
import { make } from '../src/envs/registry.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { renderFrame } from '../src/io/render/render-frame.js';
import type { PolicyPageInfo } from '../src/io/policy-page.js';
import { serveFolder } from './support/serve-folder.js';
import { trainSmallCartPoleCheckpoint, trainSmallContinuousCheckpoint, writeAtariStubCheckpoint } from './support/checkpoint-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
/** No internet here: without the background-networking flags Chromium floods refused connections. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const VITE_CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url));
const TRAINING_SEED = 11;
const GREEDY_SEED = 7;
const MANUAL_SEED = 4;
/** CartPole-v1 action 1 pushes the cart right. */
const PUSH_RIGHT = 1;
/** Steps per second = the env's render fps times this: a 500-step CartPole episode takes half a second. */
const PAGE_SPEED = 20;
const EPISODE_TIMEOUT_MS = 15_000;
/** The page rounds its reward to 2 decimals; a Pendulum return is -100s to -1000s. */
const CONTINUOUS_REWARD_TOLERANCE = 0.02;
/**
 * The page's canvas and Node's renderer both draw with Skia; they matched pixel for pixel when this
 * was written. Antialiasing may drift between versions: allow a few edge pixels to differ.
 */
const PIXEL_LEVEL_TOLERANCE = 8;
const MAX_DIFFERING_PIXEL_FRACTION = 0.005;

/** Waits until the episode with `seed` is over and returns the reward and steps the page shows. */
/**
 * Serves `pageDir` and opens it in Chromium at `seed` (both closed after test `t`); the page's
 * errors and console errors are collected in `pageErrors`.
 */
async function openPage(t: { after: (fn: () => unknown) => void }, pageDir: string, seed: number): Promise<{ page: Page; pageErrors: string[] }> {
  const { url, server } = await serveFolder(pageDir);
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  await page.goto(`${url}?seed=${seed}&speed=${PAGE_SPEED}`);
  return { page, pageErrors };
}

async function finishedEpisode(page: Page, seed: number): Promise<{ reward: number; steps: number }> {
  await page.waitForSelector(`#status[data-state="done"][data-seed="${seed}"]`, { timeout: EPISODE_TIMEOUT_MS });
  return { reward: Number(await page.textContent('#reward')), steps: Number(await page.textContent('#steps')) };
}

// The page bundle from the current web/ sources, where exportPolicyPage takes it from.
before(() => build({ configFile: VITE_CONFIG, logLevel: 'warn' }));

/** The RGBA pixels of the page's scene canvas. */
async function canvasPixels(page: Page): Promise<Uint8ClampedArray> {
  // Node's lib types have no DOM: name the one canvas method used.
  const dataUrl = await page.$eval('#scene', (canvas) => (canvas as unknown as { toDataURL(type: string): string }).toDataURL('image/png'));
  const image = await loadImage(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, image.width, image.height).data;
}

function countDifferingPixels(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  assert.equal(a.length, b.length, 'frame sizes');
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    if ([0, 1, 2].some((c) => Math.abs(a[i + c] - b[i + c]) > PIXEL_LEVEL_TOLERANCE)) count++;
  }
  return count;
}

test(
  'the exported page plays the greedy episode Node plays with the same seed, and the arrow keys take over',
  { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'a3c-export-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const checkpoint = join(dir, 'ckpt');
    await trainSmallCartPoleCheckpoint(checkpoint, TRAINING_SEED);
    const pageDir = join(dir, 'page');
    assert.deepEqual(exportPolicyPage(checkpoint, pageDir), { env: 'CartPole-v1', outDir: pageDir });

    const { page, pageErrors } = await openPage(t, pageDir, GREEDY_SEED);
    const greedy = await finishedEpisode(page, GREEDY_SEED);
    const node = await evaluateCheckpoint(checkpoint, { episodes: 1, seed: GREEDY_SEED });
    assert.deepEqual(greedy, { reward: node.rewards[0], steps: node.lengths[0] });
    let finalState: number[] = [];
    playCheckpoint(loadCheckpoint(checkpoint), { episodes: 1, seed: GREEDY_SEED, onEnv: (env) => (finalState = [...(env.unwrapped as StatefulEnv).state]) }, checkpoint);
    const expectedFrame = renderFrame('CartPole-v1', finalState);
    const differing = countDifferingPixels(await canvasPixels(page), expectedFrame);
    assert.ok(differing <= MAX_DIFFERING_PIXEL_FRACTION * (expectedFrame.length / 4), `the page draws the last state as Node does; ${differing} pixels differ`);

    await page.check('#manual');
    await page.keyboard.down('ArrowRight');
    await page.fill('#seed', String(MANUAL_SEED));
    await page.click('button[type="submit"]');
    const manual = await finishedEpisode(page, MANUAL_SEED);
    await page.keyboard.up('ArrowRight');
    const env = make('CartPole-v1');
    env.reset({ seed: MANUAL_SEED });
    let pushedSteps = 1;
    while (!env.step(PUSH_RIGHT).terminated) pushedSteps++;
    assert.deepEqual(manual, { reward: pushedSteps, steps: pushedSteps }, 'the episode of pushing right from that seed');
    assert.match(page.url(), new RegExp(`[?&]seed=${MANUAL_SEED}(&|$)`), 'restarting puts the seed in the address');

    assert.deepEqual(pageErrors, []);
  },
);

test(
  'a continuous policy with normalised observations (Pendulum-v1): the page plays the episode Node plays with the same seed',
  { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'a3c-export-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const checkpoint = join(dir, 'ckpt');
    await trainSmallContinuousCheckpoint(checkpoint, 'Pendulum-v1', TRAINING_SEED);
    const pageDir = join(dir, 'page');
    exportPolicyPage(checkpoint, pageDir);
    const info = JSON.parse(readFileSync(join(pageDir, 'policy.json'), 'utf8')) as PolicyPageInfo;
    assert.deepEqual(info.obsNormalization, { mean: loadCheckpoint(checkpoint).normalization!.obs.mean, var: loadCheckpoint(checkpoint).normalization!.obs.var });

    const { page, pageErrors } = await openPage(t, pageDir, GREEDY_SEED);
    const greedy = await finishedEpisode(page, GREEDY_SEED);
    const node = await evaluateCheckpoint(checkpoint, { episodes: 1, seed: GREEDY_SEED });
    // The page's plain-TypeScript MLP sums in another order than XNNPACK: the means differ in the
    // last float32 bits, the shown reward (2 decimals) by no more than that over 200 steps.
    assert.equal(greedy.steps, node.lengths[0]);
    assert.ok(Math.abs(greedy.reward - node.rewards[0]) <= CONTINUOUS_REWARD_TOLERANCE, `page ${greedy.reward}, node ${node.rewards[0]}`);
    assert.deepEqual(pageErrors, []);
  },
);

test('export refuses Atari checkpoints and folders it did not write, and replaces an earlier export', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const atari = join(dir, 'pong');
  writeAtariStubCheckpoint(atari);
  assert.throws(
    () => exportPolicyPage(atari, join(dir, 'page')),
    /^CheckpointError: checkpoint .*pong: the browser page plays MLP \(classic-control\) policies only; this one has an atari network for PongNoFrameskip-v4$/,
  );

  const checkpoint = join(dir, 'ckpt');
  await trainSmallCartPoleCheckpoint(checkpoint, TRAINING_SEED);
  const occupied = join(dir, 'occupied');
  mkdirSync(occupied);
  writeFileSync(join(occupied, 'notes.txt'), 'keep me');
  assert.throws(() => exportPolicyPage(checkpoint, occupied), /occupied is neither empty nor an earlier export \(no policy\.json\); choose a new or empty folder$/);
  assert.deepEqual(readdirSync(occupied), ['notes.txt']);

  const pageDir = join(dir, 'page');
  exportPolicyPage(checkpoint, pageDir);
  const exported = readdirSync(pageDir).sort();
  writeFileSync(join(pageDir, 'stale.js'), '');
  exportPolicyPage(checkpoint, pageDir);
  assert.deepEqual(readdirSync(pageDir).sort(), exported);
  assert.deepEqual(exported, ['assets', 'index.html', 'model.json', 'policy.json', 'weights.bin']);
});
