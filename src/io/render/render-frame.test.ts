import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { classicControlScene, renderFrame } from './render-frame.js';

const RGBA = 4;
const TESTDATA = new URL('../../../../src/io/render/testdata/', import.meta.url);

function pixel(rgba: Uint8ClampedArray, width: number, x: number, y: number): [number, number, number] {
  const i = (y * width + x) * RGBA;
  return [rgba[i], rgba[i + 1], rgba[i + 2]];
}

test("frames have Gymnasium's rgb_array sizes, or the size asked for", () => {
  const sizes: Record<string, [number, number]> = {
    'CartPole-v1': [600, 400],
    'Acrobot-v1': [500, 500],
    'MountainCar-v0': [600, 400],
    'MountainCarContinuous-v0': [600, 400],
    'Pendulum-v1': [500, 500],
  };
  for (const [envId, [width, height]] of Object.entries(sizes)) {
    const { stateSize } = classicControlScene(envId);
    assert.equal(renderFrame(envId, new Float64Array(stateSize)).length, width * height * RGBA, envId);
  }
  assert.equal(renderFrame('CartPole-v1', [0, 0, 0, 0], 300, 200).length, 300 * 200 * RGBA);
});

test('CartPole: cart, pole and axle are where cartpole.py puts them, tilted the right way', () => {
  // cartpole.py geometry: 125 px per metre (600 px over 4.8 m), cart 50x30 centred at height 100,
  // axle 7.5 px above that, pole 10 px wide and 125 px long; the surface is flipped so y counts from the bottom.
  const [width, height] = [600, 400];
  const [x, theta] = [0.5, 0.2];
  const rgba = renderFrame('CartPole-v1', [x, 0, theta, 0]);
  const cartX = width / 2 + x * 125;
  const row = (yUp: number): number => Math.round(height - 1 - yUp);
  assert.deepEqual(pixel(rgba, width, Math.round(cartX - 20), row(100 - 10)), [0, 0, 0], 'cart');
  const alongPolePx = 80;
  const poleX = cartX + alongPolePx * Math.sin(theta);
  const poleY = 107.5 + alongPolePx * Math.cos(theta);
  assert.deepEqual(pixel(rgba, width, Math.round(poleX), row(poleY)), [202, 152, 101], 'pole');
  assert.deepEqual(pixel(rgba, width, Math.round(cartX - (poleX - cartX)), row(poleY)), [255, 255, 255], 'mirror of the pole');
  assert.deepEqual(pixel(rgba, width, Math.trunc(cartX), row(107)), [129, 132, 203], 'axle');
  assert.deepEqual(pixel(rgba, width, 10, row(100)), [0, 0, 0], 'track');
  assert.deepEqual(pixel(rgba, width, 10, row(300)), [255, 255, 255], 'sky');

  // At half size the same cart pixel, halved, is still black.
  const small = renderFrame('CartPole-v1', [x, 0, theta, 0], width / 2, height / 2);
  assert.deepEqual(pixel(small, width / 2, Math.round((cartX - 20) / 2), Math.round(row(100 - 10) / 2)), [0, 0, 0]);
});

/** Largest channel difference that still counts as the same pixel (antialiasing shades differ). */
const SAME_PIXEL_TOLERANCE = 40;
/** Edges are antialiased differently from pygame's; everything else must agree. */
const MIN_MATCHING_FRACTION = 0.998;

test("every env matches Gymnasium's own rendering of the same state", async () => {
  const manifest = JSON.parse(readFileSync(new URL('gymnasium-frames.json', TESTDATA), 'utf8')) as {
    frames: { envId: string; state: number[]; file: string }[];
  };
  for (const { envId, state, file } of manifest.frames) {
    const image = await loadImage(readFileSync(new URL(file, TESTDATA)));
    const ctx = createCanvas(image.width, image.height).getContext('2d');
    ctx.drawImage(image, 0, 0);
    const expected = ctx.getImageData(0, 0, image.width, image.height).data;
    const actual = renderFrame(envId, state);
    assert.equal(actual.length, expected.length, `${envId} size`);
    let matching = 0;
    let ink = 0;
    for (let i = 0; i < expected.length; i += RGBA) {
      const diff = Math.max(...[0, 1, 2].map((c) => Math.abs(expected[i + c] - actual[i + c])));
      if (diff <= SAME_PIXEL_TOLERANCE) matching++;
      if (expected[i] + expected[i + 1] + expected[i + 2] < 3 * 255) ink++;
    }
    const pixels = expected.length / RGBA;
    assert.ok(ink > pixels * 0.005, `${envId}: reference frame is nearly blank`);
    assert.ok(matching / pixels >= MIN_MATCHING_FRACTION, `${envId}: ${((100 * matching) / pixels).toFixed(2)}% of pixels match Gymnasium`);
  }
});

test('unknown ids and short states are refused', () => {
  assert.throws(() => renderFrame('CartPol-v1', [0, 0, 0, 0]), /cannot render "CartPol-v1": renderable envs are CartPole-v1, Acrobot-v1/);
  assert.throws(() => renderFrame('Acrobot-v1', [0, 0]), /state has 2 values, expected 4/);
});
