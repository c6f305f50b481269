import { Rng } from './rng.js';

/** A finite set {start, ..., start + n - 1}, as Gymnasium's `Discrete`. */
export class Discrete {
  readonly kind = 'discrete' as const;
  readonly shape: readonly number[] = [];

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Discrete(n): n must be a positive integer, got ${n}`);
  }

  sample(rng: Rng): number {
    return this.start + rng.integer(this.n);
  }

  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  toString(): string {
    return `Discrete(${this.n})`;
  }
}

export type BoxDtype = 'float32' | 'uint8';
export type BoxArray = Float32Array | Uint8Array;

/** A (possibly unbounded) box in R^shape, as Gymnasium's `Box`; bounds are kept per element. */
export class Box {
  readonly kind = 'box' as const;
  readonly size: number;
  readonly low: Float64Array;
  readonly high: Float64Array;

  constructor(
    low: number | ArrayLike<number>,
    high: number | ArrayLike<number>,
    readonly shape: readonly number[],
    readonly dtype: BoxDtype = 'float32',
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
    this.low = Box.broadcast(low, this.size, 'low');
    this.high = Box.broadcast(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i] <= this.high[i])) throw new Error(`Box: low[${i}]=${this.low[i]} exceeds high[${i}]=${this.high[i]}`);
    }
  }

  private static broadcast(v: number | ArrayLike<number>, size: number, name: string): Float64Array {
    if (typeof v === 'number') return new Float64Array(size).fill(v);
    if (v.length !== size) throw new Error(`Box: ${name} has ${v.length} elements, shape needs ${size}`);
    return Float64Array.from(v);
  }

  /** Uniform where bounded on both sides, exponential or normal elsewhere, as Gymnasium samples. */
  sample(rng: Rng): BoxArray {
    const out = this.dtype === 'uint8' ? new Uint8Array(this.size) : new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      let x: number;
      if (Number.isFinite(lo) && Number.isFinite(hi)) x = this.dtype === 'uint8' ? lo + rng.integer(hi - lo + 1) : rng.uniform(lo, hi);
      else if (Number.isFinite(lo)) x = lo - Math.log(1 - rng.random());
      else if (Number.isFinite(hi)) x = hi + Math.log(1 - rng.random());
      else x = rng.normal();
      out[i] = x;
    }
    return out;
  }

  contains(x: unknown): boolean {
    const arr = x as ArrayLike<number>;
    if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number' || arr.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || Number.isNaN(v)) return false;
      // Compare at float32 precision, as Gymnasium does for float32 boxes.
      const f = this.dtype === 'float32' ? Math.fround(v) : v;
      if (f < Math.fround(this.low[i]) || f > Math.fround(this.high[i])) return false;
    }
    return true;
  }

  toString(): string {
    return `Box(${this.shape.join('x')}, ${this.dtype})`;
  }
}

export type Space = Discrete | Box;
