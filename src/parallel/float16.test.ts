import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFloat16, toFloat16 } from './float16.js';

/** Half bits of each value, and the float32 each decodes to. */
function roundTrip(values: number[]): { bits: number[]; back: number[] } {
  const halves = new Uint16Array(values.length);
  toFloat16(Float32Array.from(values), halves);
  const back = new Float32Array(values.length);
  fromFloat16(halves, back);
  return { bits: [...halves], back: [...back] };
}

test('values a half can hold round-trip exactly, with their bits', () => {
  const { bits, back } = roundTrip([0, -0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 1 + 2 ** -10, 0.333251953125]);
  assert.deepEqual(bits, [0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0xfbff, 0x0400, 0x3c01, 0x3555]);
  assert.deepEqual(back, [0, -0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 1 + 2 ** -10, 0.333251953125]);
  assert.ok(Object.is(back[1], -0), 'the sign of zero is kept');
});

test('every one of the 65536 halves decodes and encodes back to itself (NaNs to a NaN)', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const floats = new Float32Array(all.length);
  fromFloat16(all, floats);
  const again = new Uint16Array(all.length);
  toFloat16(floats, again);
  for (let h = 0; h < all.length; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (isNaN) assert.ok(Number.isNaN(floats[h]) && (again[h] & 0x7c00) === 0x7c00 && (again[h] & 0x3ff) !== 0, `half 0x${h.toString(16)} is a NaN`);
    else assert.equal(again[h], h, `half 0x${h.toString(16)} (${floats[h]})`);
  }
});

test('values between two halves round to the nearer, ties to the even one', () => {
  const ulp = 2 ** -10; // between 1 and 2
  const { back } = roundTrip([1 + ulp / 2, 1 + 3 * (ulp / 2), 1 + ulp / 2 + 2 ** -20, 1 + ulp / 4, 65520, 65519]);
  assert.deepEqual(back, [1, 1 + 2 * ulp, 1 + ulp, 1, Infinity, 65504]);
});

test('infinities and NaN are kept; magnitudes past the largest half become infinities', () => {
  const { bits, back } = roundTrip([Infinity, -Infinity, NaN, 1e6, -1e30]);
  assert.deepEqual(bits.slice(0, 2), [0x7c00, 0xfc00]);
  assert.ok(Number.isNaN(back[2]));
  assert.deepEqual([back[0], back[1], back[3], back[4]], [Infinity, -Infinity, Infinity, -Infinity]);
});

test('subnormals: kept down to 2^-24, rounded to nearest-even, and zero below half of it', () => {
  const tiny = 2 ** -24;
  const { bits, back } = roundTrip([tiny, 3 * tiny, -5 * tiny, 1023 * tiny, tiny / 2, (3 * tiny) / 2, tiny * 0.50001, tiny / 4, 1e-30, 1023.5 * tiny]);
  assert.deepEqual(bits.slice(0, 4), [0x0001, 0x0003, 0x8005, 0x03ff]);
  assert.deepEqual(back, [tiny, 3 * tiny, -5 * tiny, 1023 * tiny, 0, 2 * tiny, tiny, 0, 0, 2 ** -14]);
});
