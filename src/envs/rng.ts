/**
 * Seeded pseudo-random numbers: PCG32 (O'Neill 2014) seeded through SplitMix64, so every env,
 * agent and sampler owns its own reproducible stream instead of sharing Math.random.
 */
const MULT = 6364136223846793005n;
const MASK64 = (1n << 64n) - 1n;

function splitMix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

export class Rng {
  private state: bigint;
  private readonly inc: bigint;
  private spareNormal: number | null = null;

  constructor(seed: number = Date.now()) {
    let s = BigInt.asUintN(64, BigInt(Math.floor(seed)));
    let a: bigint;
    let b: bigint;
    [s, a] = splitMix64(s);
    [, b] = splitMix64(s);
    this.inc = (b << 1n) | 1n;
    this.state = 0n;
    this.nextUint32();
    this.state = (this.state + a) & MASK64;
    this.nextUint32();
  }

  nextUint32(): number {
    const old = this.state;
    this.state = (old * MULT + this.inc) & MASK64;
    const xorShifted = Number(((old >> 18n) ^ old) >> 27n & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorShifted >>> rot) | (xorShifted << ((32 - rot) & 31))) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Standard normal by the Marsaglia polar method. */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** A seed for a child stream, so one run seed fans out to agents and envs reproducibly. */
  fork(): number {
    return this.nextUint32() * 65536 + (this.nextUint32() >>> 16);
  }
}
