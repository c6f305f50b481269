/**
 * IEEE 754 binary16 ("half") conversion for the Redis wire's `--wire-dtype float16` (issue 21,
 * "a tenth of the traffic"): float32 values rounded to the nearest half, ties to even, with
 * subnormals, signed zeros, infinities and NaN kept; magnitudes above 65504 (the largest half)
 * round to infinity, as IEEE rounding does. Node 20 has no Float16Array, and the npm package
 * that provides one (@petamoriken/float16) is more than these two loops need.
 */

/** Half bits of each value of `src` into `out` (the same length). */
export function toFloat16(src: Float32Array, out: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    const e = exp - 112; // rebias: float32's 127 to half's 15
    let h: number;
    if (exp === 0xff) h = 0x7c00 | (mant === 0 ? 0 : 0x200 | (mant >>> 13)); // infinity, or a quiet NaN keeping its payload's top bits
    else if (e >= 0x1f) h = 0x7c00; // too large: infinity
    else if (e > 0) h = roundShift((e << 23) | mant, 13); // normal (a carry out of the mantissa bumps the exponent, up to infinity)
    else if (e >= -10) h = roundShift(mant | 0x800000, 14 - e); // subnormal half
    else h = 0; // below half the smallest subnormal: zero
    out[i] = sign | h;
  }
}

/** `m >>> shift`, rounded to the nearest integer, ties to even. */
function roundShift(m: number, shift: number): number {
  const kept = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Float32 values of the half bits in `src` into `out` (the same length); exact, as every half is a float32. */
export function fromFloat16(src: Uint16Array, out: Float32Array): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = (h & 0x8000 ? -mant : mant) * 2 ** -24; // zero or subnormal
    else bits[i] = ((h & 0x8000) << 16) | ((exp === 0x1f ? 0xff : exp + 112) << 23) | (mant << 13);
  }
}
