/**
 * Central finite differences for checking analytic gradients, in float64 around float32 maths:
 * the function is evaluated on float32 data, the differences are taken in JS doubles.
 */

/**
 * (f(x + h e_i) - f(x - h e_i)) / 2h for each index i; `x` is restored afterwards. `f` must read
 * `x` afresh on every call.
 */
export function centralDifferences(f: (x: Float32Array) => number, x: Float32Array, indices: readonly number[], h: number): Float64Array {
  const out = new Float64Array(indices.length);
  indices.forEach((index, k) => {
    const saved = x[index];
    x[index] = saved + h;
    const plus = f(x);
    x[index] = saved - h;
    const minus = f(x);
    x[index] = saved;
    // The float32 steps actually taken, not the nominal h.
    out[k] = (plus - minus) / (Math.fround(saved + h) - Math.fround(saved - h));
  });
  return out;
}

export interface GradientMismatch {
  index: number;
  analytic: number;
  numeric: number;
}

/** Entries where |analytic - numeric| > atol + rtol |numeric|, the worst first. */
export function gradientMismatches(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  indices: readonly number[],
  atol: number,
  rtol: number,
): GradientMismatch[] {
  const bad: Array<GradientMismatch & { excess: number }> = [];
  indices.forEach((index, k) => {
    const a = analytic[index];
    const n = numeric[k];
    const excess = Math.abs(a - n) - (atol + rtol * Math.abs(n));
    if (!(excess <= 0)) bad.push({ index, analytic: a, numeric: n, excess });
  });
  return bad.sort((p, q) => q.excess - p.excess).map(({ index, analytic: a, numeric: n }) => ({ index, analytic: a, numeric: n }));
}

/** `count` distinct indices below `size` (all of them when count >= size), ascending. */
export function sampleIndices(size: number, count: number, random: () => number): number[] {
  if (count >= size) return Array.from({ length: size }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(random() * size));
  return [...chosen].sort((a, b) => a - b);
}
