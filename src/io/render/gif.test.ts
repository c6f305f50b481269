import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { writeGif } from './gif.js';
import { classicControlScene, renderFrame } from './render-frame.js';
import { summariseGif } from '../../../test/support/gif-summary.js';

test('writeGif: one frame per input at the asked delay, looping, first frame decodes to the drawing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-gif-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { widthPx: width, heightPx: height } = classicControlScene('CartPole-v1');
  const states = [[0, 0, 0, 0], [0.3, 0, 0.1, 0], [0.6, 0, 0.2, 0]];
  const frames = states.map((s) => ({ rgba: renderFrame('CartPole-v1', s), width, height }));
  const fps = 25;
  const path = join(dir, 'episode.gif');
  await writeGif(path, frames, fps);

  const bytes = readFileSync(path);
  const gif = summariseGif(bytes);
  assert.equal(gif.version, 'GIF89a');
  assert.deepEqual([gif.widthPx, gif.heightPx], [width, height]);
  assert.deepEqual(gif.frameSizesPx, states.map(() => ({ widthPx: width, heightPx: height })));
  assert.deepEqual(gif.frameDelaysCs, states.map(() => 100 / fps));
  assert.ok(gif.loops);

  const image = await loadImage(bytes);
  const ctx = createCanvas(width, height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  const decoded = ctx.getImageData(0, 0, width, height).data;
  // Quantising to a palette shifts colours slightly, never by more than a few levels here.
  const quantisationTolerance = 8;
  let worst = 0;
  for (let i = 0; i < decoded.length; i += 4) {
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(decoded[i + c] - frames[0].rgba[i + c]));
  }
  assert.ok(worst <= quantisationTolerance, `decoded first frame differs by up to ${worst} levels`);
});

test('writeGif refuses empty input, bad fps and frames of different sizes', async () => {
  const frame = { rgba: new Uint8Array(2 * 2 * 4), width: 2, height: 2 };
  await assert.rejects(writeGif('/nonexistent.gif', [], 30), /no frames given/);
  await assert.rejects(writeGif('/nonexistent.gif', [frame], 0), /fps must be positive, got 0/);
  await assert.rejects(writeGif('/nonexistent.gif', [frame, { ...frame, width: 1 }], 30), /frame 1 is 1x2/);
});
