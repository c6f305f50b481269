import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../utils/rng.js';
import { Box, Discrete } from './spaces.js';

const SAMPLES = 2000;

test('Discrete contains exactly the integers start .. start + n - 1', () => {
  const space = new Discrete(3, -1);
  for (const x of [-1, 0, 1]) assert.ok(space.contains(x), `${x}`);
  for (const x of [-2, 2, 0.5, NaN, '0', null, [0]]) assert.ok(!space.contains(x), `${String(x)}`);
});

test('Discrete samples cover every value and nothing else', () => {
  const space = new Discrete(4, 2);
  const rng = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < SAMPLES; i++) {
    const x = space.sample(rng);
    assert.ok(space.contains(x), `sample ${x}`);
    seen.add(x);
  }
  assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
});

test('Discrete prints as Gymnasium does', () => {
  assert.equal(String(new Discrete(2)), 'Discrete(2)');
  assert.equal(String(new Discrete(3, -1)), 'Discrete(3, start=-1)');
});

test('Discrete refuses a non-positive n', () => {
  assert.throws(() => new Discrete(0), /n must be a positive integer, got 0/);
});

test('a float32 Box rounds its bounds to float32, as Gymnasium casts them', () => {
  const box = new Box(-0.1, [0.1, 2], [2]);
  assert.deepEqual(Array.from(box.low), [Math.fround(-0.1), Math.fround(-0.1)]);
  assert.deepEqual(Array.from(box.high), [Math.fround(0.1), 2]);
});

test('Box contains checks length, NaN and bounds at float32 precision', () => {
  const box = new Box(-2, 2, [1]);
  assert.ok(box.contains([2]));
  assert.ok(box.contains(Float32Array.of(-2)));
  // 2 + 1e-9 rounds to 2 in float32, so a float32 box holds it, as Gymnasium's does.
  assert.ok(box.contains([2 + 1e-9]));
  assert.ok(!box.contains([2.001]));
  assert.ok(!box.contains([NaN]));
  assert.ok(!box.contains([0, 0]));
  assert.ok(!box.contains(0));
  assert.ok(!box.contains(null));
});

test('a uint8 Box holds only integers and needs uint8 bounds', () => {
  const box = new Box(0, 255, [2], 'uint8');
  assert.ok(box.contains([0, 255]));
  assert.ok(!box.contains([0.5, 1]));
  assert.ok(!box.contains([256, 1]));
  assert.throws(() => new Box(0, 256, [1], 'uint8'), /high\[0\]=256 is not a uint8 value/);
});

test('Box refuses bounds that do not fit the shape or are inverted', () => {
  assert.throws(() => new Box([0, 0], [1, 1, 1], [2]), /high has 3 elements, shape needs 2/);
  assert.throws(() => new Box(1, 0, [1]), /low\[0\]=1 exceeds high\[0\]=0/);
});

test('Box samples lie in the box: uniform when bounded, exponential or normal when not', () => {
  const rng = new Rng(2);
  const bounded = new Box([-1, 10], [1, 20], [2]);
  const halfOpen = new Box([0, -Infinity], [Infinity, 0], [2]);
  const open = new Box(-Infinity, Infinity, [1]);
  const frames = new Box(0, 255, [3], 'uint8');
  let openSum = 0;
  for (let i = 0; i < SAMPLES; i++) {
    for (const box of [bounded, halfOpen, frames]) assert.ok(box.contains(box.sample(rng)), `${box}`);
    openSum += open.sample(rng)[0];
  }
  assert.ok(frames.sample(rng) instanceof Uint8Array);
  // A standard normal's mean over 2000 samples lies within 4 standard errors of 0.
  assert.ok(Math.abs(openSum / SAMPLES) < 4 / Math.sqrt(SAMPLES), `mean ${openSum / SAMPLES}`);
});

test('Box prints its bounds, shape and dtype', () => {
  assert.equal(String(new Box(-2, 2, [1])), 'Box(-2, 2, (1,), float32)');
  assert.equal(String(new Box([-4.8, -Infinity], [4.8, Infinity], [2])), 'Box([-4.8 -inf], [4.8 inf], (2,), float32)');
  assert.equal(String(new Box(0, 255, [84, 84], 'uint8')), 'Box(0, 255, (84, 84), uint8)');
});
