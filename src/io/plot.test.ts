import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { REWARD_MEAN_WINDOW_EPISODES, RUN_COLOURS, plotRewardCurves, trailingMean } from './plot.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('trailingMean matches a direct mean over the last window values', () => {
  const values = Array.from({ length: 250 }, (_, i) => (i * 37) % 101);
  const means = trailingMean(values, REWARD_MEAN_WINDOW_EPISODES);
  for (const i of [0, 1, 50, 99, 100, 101, 249]) {
    const window = values.slice(Math.max(0, i - REWARD_MEAN_WINDOW_EPISODES + 1), i + 1);
    assert.ok(Math.abs(means[i] - window.reduce((a, b) => a + b, 0) / window.length) < 1e-9, `index ${i}`);
  }
});

function rgbOf(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

test('plot is a PNG of the asked size, mostly white, with each run drawn in its colour', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-plot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'rewards.png');
  const run = (name: string, slope: number) => {
    const rewards = Array.from({ length: 400 }, (_, i) => Math.min(500, slope * i + ((i * 7919) % 40)));
    return { name, rewards, steps: rewards.map((_, i) => (i + 1) * 200) };
  };
  const [width, height] = [640, 360];
  await plotRewardCurves([run('a3c', 1.5), run('a2c', 0.8)], { out, solvedBound: 475, title: 'CartPole-v1', width, height });

  const png = readFileSync(out);
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), width);
  assert.equal(png.readUInt32BE(20), height);

  const image = await loadImage(png);
  const ctx = createCanvas(width, height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  const colourCounts = new Map<string, number>();
  let nonWhite = 0;
  for (let p = 0; p < data.length; p += 4) {
    if (data[p] !== 255 || data[p + 1] !== 255 || data[p + 2] !== 255) nonWhite++;
    const key = `${data[p]},${data[p + 1]},${data[p + 2]}`;
    colourCounts.set(key, (colourCounts.get(key) ?? 0) + 1);
  }
  const pixels = width * height;
  assert.ok(nonWhite > pixels * 0.02 && nonWhite < pixels * 0.5, `${nonWhite} of ${pixels} pixels are not white`);
  for (const colour of RUN_COLOURS.slice(0, 2)) {
    assert.ok((colourCounts.get(rgbOf(colour).join(',')) ?? 0) > 50, `run colour ${colour} is missing`);
  }
  assert.equal(colourCounts.get(rgbOf(RUN_COLOURS[2]).join(',')) ?? 0, 0, 'a third run colour appears with two runs');
});

test('against minutes, a run needs a wall time per reward', async () => {
  await assert.rejects(plotRewardCurves([{ name: 'r', steps: [1, 2], rewards: [1, 2] }], { out: '/nonexistent.png', x: 'minutes' }), /run "r" has 0 wall times but 2 rewards/);
});

test('mismatched steps and rewards, or no runs, are refused', async () => {
  await assert.rejects(plotRewardCurves([], { out: '/nonexistent.png' }), /no runs given/);
  await assert.rejects(plotRewardCurves([{ name: 'r', steps: [1, 2], rewards: [1] }], { out: '/nonexistent.png' }), /run "r" has 2 steps but 1 rewards/);
});
