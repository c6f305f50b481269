import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GifRecorder } from './gif-recorder.js';
import { classicControlScene, renderFrame } from './render-frame.js';
import { summariseGif } from '../../../test/support/gif-summary.js';

test('GifRecorder writes one looping frame per addFrame at the asked delay', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-gif-recorder-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const scene = classicControlScene('Acrobot-v1');
  const fps = 20;
  const recorder = new GifRecorder(scene.widthPx, scene.heightPx, fps);
  const frameCount = 4;
  for (let i = 0; i < frameCount; i++) recorder.addFrame(renderFrame('Acrobot-v1', [i * 0.4, 0, 0, 0]));
  assert.equal(recorder.frameCount, frameCount);
  const path = join(dir, 'acrobot.gif');
  await recorder.save(path);

  const gif = summariseGif(readFileSync(path));
  assert.equal(gif.version, 'GIF89a');
  assert.deepEqual([gif.widthPx, gif.heightPx], [scene.widthPx, scene.heightPx]);
  assert.deepEqual(gif.frameDelaysCs, Array(frameCount).fill(100 / fps));
  assert.ok(gif.loops);
  assert.throws(() => recorder.addFrame(renderFrame('Acrobot-v1', [0, 0, 0, 0])), /already saved to .*acrobot\.gif; start a new recorder/);
});

test('GifRecorder refuses bad fps, wrong frame sizes and saving nothing', async () => {
  assert.throws(() => new GifRecorder(2, 2, 0), /fps must be positive, got 0/);
  assert.throws(() => new GifRecorder(0, 2, 30), /frame size must be positive integers, got 0x2/);
  const recorder = new GifRecorder(2, 2, 30);
  assert.throws(() => recorder.addFrame(new Uint8Array(3 * 2 * 4)), /frame 0 has 24 bytes, expected 2x2x4 = 16/);
  await assert.rejects(recorder.save('/nonexistent/empty.gif'), /no frames to write to \/nonexistent\/empty\.gif/);
});
