/**
 * Seeded pseudo-random numbers: PCG32 (O'Neill 2014) seeded through SplitMix64, so every agent,
 * sampler and space owns its own reproducible stream instead of sharing Math.random. (Classic-control
 * envs draw their start states from numpy-random.ts instead, to match Gymnasium's seeds.)
 * The 64-bit state is kept as two uint32 halves: BigInt arithmetic made each draw ~10x slower.
 */
const MULT = 6364136223846793005n;
const MASK64 = (1n << 64n) - 1n;
const MULT_HI = Number(MULT >> 32n);
const MULT_LO = Number(MULT & 0xffffffffn);
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
/** Bytes of OS entropy behind an unseeded Rng: 48 bits, a safe integer. */
const ENTROPY_SEED_BYTES = 6;

/** A seed from the Web Crypto API, present in Node 20 and in browsers alike. */
function entropySeed(): number {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(ENTROPY_SEED_BYTES));
  return bytes.reduce((value, byte, i) => value + byte * 2 ** (8 * i), 0);
}

function splitMix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** High 32 bits of the 64-bit product of two uint32s, from 16-bit limbs so every partial sum is exact. */
function mulHigh32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const carry = (((a0 * b0) >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

export class Rng {
  private stateHi = 0;
  private stateLo = 0;
  private incHi = 0;
  private incLo = 0;
  private spareNormal: number | null = null;

  /** Without a seed the stream starts from OS entropy, as Gymnasium's unseeded `np_random`. */
  constructor(seed?: number) {
    if (seed !== undefined && !Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const start = seed === undefined ? entropySeed() : Math.floor(seed);
    let s = BigInt.asUintN(64, BigInt(start));
    let initState: bigint;
    let initSeq: bigint;
    [s, initState] = splitMix64(s);
    [, initSeq] = splitMix64(s);
    this.seedPcg32(initState, initSeq);
  }

  /** A generator seeded exactly as the reference `pcg32_srandom_r(initState, initSeq)`. */
  static fromPcg32(initState: bigint, initSeq: bigint): Rng {
    const rng = new Rng(0);
    rng.seedPcg32(initState, initSeq);
    return rng;
  }

  private seedPcg32(initState: bigint, initSeq: bigint): void {
    const inc = ((initSeq << 1n) | 1n) & MASK64;
    this.incHi = Number(inc >> 32n);
    this.incLo = Number(inc & 0xffffffffn);
    this.stateHi = 0;
    this.stateLo = 0;
    this.spareNormal = null;
    this.nextUint32();
    const state = ((BigInt(this.stateHi) << 32n) + BigInt(this.stateLo) + BigInt.asUintN(64, initState)) & MASK64;
    this.stateHi = Number(state >> 32n);
    this.stateLo = Number(state & 0xffffffffn);
    this.nextUint32();
  }

  nextUint32(): number {
    const oldHi = this.stateHi;
    const oldLo = this.stateLo;
    // state = state * MULT + inc (mod 2^64)
    const lo = (Math.imul(oldLo, MULT_LO) >>> 0) + this.incLo;
    this.stateLo = lo >>> 0;
    const carry = lo > 0xffffffff ? 1 : 0;
    this.stateHi = (mulHigh32(oldLo, MULT_LO) + Math.imul(oldLo, MULT_HI) + Math.imul(oldHi, MULT_LO) + this.incHi + carry) >>> 0;
    // XSH-RR output of the old state: bits 27..58 of ((old >> 18) ^ old), rotated by old >> 59.
    const xorShifted = (((oldLo >>> 27) | (oldHi << 5)) ^ (oldHi >>> 13)) >>> 0;
    const rot = oldHi >>> 27;
    return ((xorShifted >>> rot) | (xorShifted << (-rot & 31))) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * TWO_POW_26 + lo) / TWO_POW_53;
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
