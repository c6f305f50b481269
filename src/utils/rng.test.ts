import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from './rng.js';

const DRAWS = 10000;

test('PCG32 matches the reference pcg32-demo output for pcg32_srandom_r(42, 54)', () => {
  const rng = Rng.fromPcg32(42n, 54n);
  const expected = [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e];
  assert.deepEqual(Array.from(expected, () => rng.nextUint32()), expected);
});

test('the same seed gives the same stream, another seed another stream', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const drawsA = Array.from({ length: 100 }, () => a.random());
  assert.deepEqual(
    Array.from({ length: 100 }, () => b.random()),
    drawsA,
  );
  assert.notDeepEqual(
    Array.from({ length: 100 }, () => c.random()),
    drawsA,
  );
});

test('unseeded generators start from OS entropy, so two differ', () => {
  assert.notEqual(new Rng().nextUint32() * 2 ** 32 + new Rng().nextUint32(), new Rng().nextUint32() * 2 ** 32 + new Rng().nextUint32());
});

test('a seed must be finite', () => {
  assert.throws(() => new Rng(NaN), /seed must be a finite number, got NaN/);
});

test('random is in [0, 1) with mean 1/2 and uniform deciles', () => {
  const rng = new Rng(3);
  const deciles = new Array<number>(10).fill(0);
  let sum = 0;
  for (let i = 0; i < DRAWS; i++) {
    const u = rng.random();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    deciles[Math.floor(u * 10)] += 1;
  }
  // Uniform mean's standard error is sqrt(1/12 / DRAWS); allow 4 of them.
  assert.ok(Math.abs(sum / DRAWS - 0.5) < 4 * Math.sqrt(1 / 12 / DRAWS));
  // Chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile.
  const expected = DRAWS / 10;
  const chiSquare = deciles.reduce((acc, n) => acc + (n - expected) ** 2 / expected, 0);
  assert.ok(chiSquare < 27.9, `chi-square ${chiSquare}`);
});

test('integer(n) stays in [0, n) and hits every value', () => {
  const rng = new Rng(4);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const k = rng.integer(6);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
    seen.add(k);
  }
  assert.equal(seen.size, 6);
});

test('normal has mean 0 and variance 1', () => {
  const rng = new Rng(5);
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < DRAWS; i++) {
    const z = rng.normal();
    sum += z;
    sumSquares += z * z;
  }
  const mean = sum / DRAWS;
  const variance = sumSquares / DRAWS - mean * mean;
  assert.ok(Math.abs(mean) < 4 / Math.sqrt(DRAWS), `mean ${mean}`);
  // The sample variance's standard error is sqrt(2 / DRAWS).
  assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / DRAWS), `variance ${variance}`);
});

test('fork gives reproducible child seeds', () => {
  const a = new Rng(6);
  const b = new Rng(6);
  const forksA = [a.fork(), a.fork()];
  assert.deepEqual([b.fork(), b.fork()], forksA);
  assert.notEqual(forksA[0], forksA[1]);
  assert.ok(forksA.every((s) => Number.isSafeInteger(s) && s >= 0));
});
