import { Rng } from '../utils/rng.js';

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

  /** Gymnasium's repr: `Discrete(3)`, or `Discrete(3, start=-1)` when the set does not start at 0. */
  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

export type BoxDtype = 'float32' | 'uint8';
export type BoxArray = Float32Array | Uint8Array;

/**
 * A (possibly unbounded) box in R^shape, as Gymnasium's `Box`; bounds are kept per element, rounded to
 * the box's dtype as Gymnasium casts them (a float32 box's `high` of 0.418879 reads 0.41887903...).
 */
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
    this.low = Box.broadcast(low, this.size, 'low', dtype);
    this.high = Box.broadcast(high, this.size, 'high', dtype);
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i] <= this.high[i])) throw new Error(`Box: low[${i}]=${this.low[i]} exceeds high[${i}]=${this.high[i]}`);
    }
  }

  private static broadcast(v: number | ArrayLike<number>, size: number, name: string, dtype: BoxDtype): Float64Array {
    if (typeof v !== 'number' && v.length !== size) throw new Error(`Box: ${name} has ${v.length} elements, shape needs ${size}`);
    const bounds = typeof v === 'number' ? new Float64Array(size).fill(v) : Float64Array.from(v);
    if (dtype === 'float32') {
      for (let i = 0; i < size; i++) bounds[i] = Math.fround(bounds[i]);
    } else {
      for (let i = 0; i < size; i++) {
        const b = bounds[i];
        if (!Number.isInteger(b) || b < 0 || b > UINT8_MAX) throw new Error(`Box: ${name}[${i}]=${b} is not a uint8 value (an integer in [0, ${UINT8_MAX}])`);
      }
    }
    return bounds;
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
      if (this.dtype === 'uint8' && !Number.isInteger(v)) return false;
      // Compare at float32 precision, as Gymnasium does for float32 boxes.
      const f = this.dtype === 'float32' ? Math.fround(v) : v;
      if (f < this.low[i] || f > this.high[i]) return false;
    }
    return true;
  }

  /**
   * `values`, whole rows of `size` numbers (one action per env copy), clipped into [low, high]
   * element by element as np.clip: a new Float32Array of the same length. A NaN stays NaN, for
   * the env to refuse: clipping must not hide it.
   * @throws Error when `values.length` is not a multiple of `size`.
   */
  clip(values: ArrayLike<number>): Float32Array {
    if (values.length % this.size !== 0) throw new Error(`Box.clip: ${values.length} numbers are not whole rows of ${this.size} for ${this}`);
    const out = new Float32Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const i = k % this.size;
      out[k] = Math.min(Math.max(values[k], this.low[i]), this.high[i]);
    }
    return out;
  }

  /** Gymnasium's repr, e.g. `Box(-2, 2, (1,), float32)`; a bound that is the same everywhere prints once. */
  toString(): string {
    const shape = this.shape.length === 1 ? `(${this.shape[0]},)` : `(${this.shape.join(', ')})`;
    return `Box(${formatBound(this.low)}, ${formatBound(this.high)}, ${shape}, ${this.dtype})`;
  }
}

export type Space = Discrete | Box;

const UINT8_MAX = 255;
/** Significant digits that tell every float32 apart. */
const FLOAT32_MAX_DIGITS = 9;

/** The shortest decimal that reads back as the same float32, as numpy prints float32s (4.8, not 4.8000002). */
function formatNumber(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  for (let digits = 1; digits < FLOAT32_MAX_DIGITS; digits++) {
    const short = Number(v.toPrecision(digits));
    if (Math.fround(short) === v) return String(short);
  }
  return String(v);
}

function formatBound(bound: Float64Array): string {
  if (bound.length > 0 && bound.every((v) => v === bound[0])) return formatNumber(bound[0]);
  return `[${Array.from(bound, formatNumber).join(' ')}]`;
}
