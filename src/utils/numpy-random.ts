/**
 * numpy's default random generator, bit for bit: `np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))`,
 * which is what Gymnasium's `seeding.np_random(seed)` builds for every env's `np_random`. Written from
 * numpy's documented algorithms (NEP 19; numpy/random/bit_generator.pyx's SeedSequence, _pcg64.pyx,
 * O'Neill's PCG paper for the 128-bit XSL-RR generator) and checked against numpy 2.4's outputs in
 * numpy-random.test.ts. Seeding uses BigInt (once per seed); each draw uses exact double arithmetic.
 */

const MASK32 = 0xffffffffn;
const MASK128 = (1n << 128n) - 1n;

// SeedSequence's hash constants (numpy/random/bit_generator.pyx, after Melissa O'Neill's seed_seq_fe).
const POOL_SIZE = 4;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
/** Half a uint32's bits. */
const XSHIFT = 16;
/** Bits of OS entropy behind an unseeded SeedSequence, as numpy's `randbits(128)`. */
const ENTROPY_BITS = 128;

/** PCG's default 128-bit LCG multiplier (PCG_DEFAULT_MULTIPLIER_128 in numpy's pcg64.h). */
const PCG_MULTIPLIER = (2549297995355413924n << 64n) + 4865540595714422341n;
const LIMBS = 8;
const LIMB_BITS = 16n;
const LIMB_BASE = 65536;
/** Multiplying by 2^-16 is exact and, unlike dividing, cheap on the carry chain. */
const INVERSE_LIMB_BASE = 1 / LIMB_BASE;
const LIMB_MASK = 0xffffn;
/** XSL-RR rotates by the state's top 6 bits: bits 10-15 of the top limb. */
const ROTATION_SHIFT = 10;
/** A double has 53 significant bits: numpy keeps the top 53 of 64 (drops 11) and scales by 2^-53. */
const DOUBLE_SHIFT = 11;
const TWO_POW_21 = 2097152;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/** Splits a non-negative integer into uint32 words, least significant first, as numpy's `_int_to_uint32_array` (0 gives [0]). */
function toUint32Words(n: bigint): number[] {
  const words = [Number(n & MASK32)];
  for (let rest = n >> 32n; rest > 0n; rest >>= 32n) words.push(Number(rest & MASK32));
  return words;
}

/**
 * numpy's `SeedSequence` without spawn keys (Gymnasium never spawns): mixes a non-negative integer of
 * any size into a pool of 4 uint32 words, from which `generateState` hashes seed words for a bit generator.
 */
export class SeedSequence {
  /** The pool after mixing in the entropy: numpy's `SeedSequence(entropy).pool`. */
  readonly pool: Uint32Array;

  /**
   * `entropy` is the seed: a non-negative integer (a number must be a safe integer). Without one,
   * 128 bits from the Web Crypto API, as numpy's unseeded `SeedSequence()`.
   * @throws Error for a negative or non-integer seed.
   */
  constructor(readonly entropy: bigint = osEntropy()) {
    if (entropy < 0n) throw new Error(`SeedSequence: entropy must be a non-negative integer, got ${entropy}`);
    this.pool = mixEntropy(toUint32Words(entropy));
  }

  /** `nWords` uint32 words hashed from the pool, as numpy's `generate_state(n_words, np.uint32)`. */
  generateState(nWords: number): Uint32Array {
    const state = new Uint32Array(nWords);
    let hashConst = INIT_B;
    for (let i = 0; i < nWords; i++) {
      let value = (this.pool[i % POOL_SIZE] ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_B) >>> 0;
      value = Math.imul(value, hashConst) >>> 0;
      state[i] = (value ^ (value >>> XSHIFT)) >>> 0;
    }
    return state;
  }

  /** `nWords` uint64 words, as numpy's `generate_state(n_words, np.uint64)`: uint32 pairs read little-endian. */
  generateState64(nWords: number): bigint[] {
    const words = this.generateState(2 * nWords);
    return Array.from({ length: nWords }, (_, i) => (BigInt(words[2 * i + 1]) << 32n) | BigInt(words[2 * i]));
  }
}

function osEntropy(): bigint {
  const words = globalThis.crypto.getRandomValues(new Uint32Array(ENTROPY_BITS / 32));
  return words.reduce((value, word, i) => value | (BigInt(word) << BigInt(32 * i)), 0n);
}

/** numpy's `mix_entropy`: hashes each entropy word into the pool, then mixes every pool word into every other. */
function mixEntropy(entropy: readonly number[]): Uint32Array {
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (result ^ (result >>> XSHIFT)) >>> 0;
  };
  const pool = new Uint32Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  return pool;
}

/**
 * numpy's `PCG64` bit generator: a 128-bit LCG whose output is the XSL-RR permutation of the state
 * after each step (pcg_setseq_128_xsl_rr_64). Seeded from 4 uint64 words of a SeedSequence: the
 * first two are the initial state (high, low), the last two the stream selector, as numpy's `pcg64_set_seed`.
 * The state lives in 16-bit limbs, so every partial product is an exact double: stepping through
 * BigInt made an env's unseeded reset several times slower than a CartPole step.
 */
export class Pcg64 {
  /** The LCG increment: always odd. */
  readonly increment: bigint;
  /** The state in 16-bit limbs, least significant first. */
  private readonly state = new Float64Array(LIMBS);
  private readonly incrementLimbs: Float64Array;
  /** The last output's high and low 32 bits. */
  private outHigh = 0;
  private outLow = 0;

  constructor(seedSequence: SeedSequence) {
    const [stateHigh, stateLow, seqHigh, seqLow] = seedSequence.generateState64(4);
    const initState = (stateHigh << 64n) | stateLow;
    const initSeq = (seqHigh << 64n) | seqLow;
    // pcg_setseq_128_srandom_r: step from 0, add the initial state, step again.
    this.increment = ((initSeq << 1n) | 1n) & MASK128;
    this.incrementLimbs = toLimbs(this.increment);
    this.step();
    this.state.set(toLimbs((this.currentState + initState) & MASK128));
    this.step();
  }

  /** The 128-bit LCG state, as numpy's `bit_generator.state['state']['state']`. */
  get currentState(): bigint {
    return this.state.reduceRight((value, limb) => (value << LIMB_BITS) | BigInt(limb), 0n);
  }

  /** The next 64-bit output, as numpy's `random_raw()`. */
  nextUint64(): bigint {
    this.advance();
    return (BigInt(this.outHigh) << 32n) | BigInt(this.outLow);
  }

  /** Uniform in [0, 1) from the top 53 bits of one output, as numpy's `next_double`: `(next_uint64 >> 11) * 2^-53`. */
  nextDouble(): number {
    this.advance();
    return (this.outHigh * TWO_POW_21 + (this.outLow >>> DOUBLE_SHIFT)) * TWO_POW_MINUS_53;
  }

  /** Steps, then sets the output words to XSL-RR of the new state: (high 64 ^ low 64) rotated right by the top 6 bits. */
  private advance(): void {
    this.step();
    const s = this.state;
    const xorHigh = ((s[3] * LIMB_BASE + s[2]) ^ (s[7] * LIMB_BASE + s[6])) >>> 0;
    const xorLow = ((s[1] * LIMB_BASE + s[0]) ^ (s[5] * LIMB_BASE + s[4])) >>> 0;
    const rotation = s[7] >>> ROTATION_SHIFT;
    // Rotating right by 32 or more swaps the halves first.
    const high = rotation < 32 ? xorHigh : xorLow;
    const low = rotation < 32 ? xorLow : xorHigh;
    const r = rotation & 31;
    this.outHigh = r === 0 ? high : ((high >>> r) | (low << (32 - r))) >>> 0;
    this.outLow = r === 0 ? low : ((low >>> r) | (high << (32 - r))) >>> 0;
  }

  /**
   * state = state * multiplier + increment (mod 2^128): schoolbook multiplication on 16-bit limbs,
   * low half only, unrolled. Each column sums at most 8 products below 2^32 and a carry, exact in a
   * double, and its carry is below 2^21, so `| 0` floors it.
   */
  private step(): void {
    const s = this.state;
    const inc = this.incrementLimbs;
    const m = MULTIPLIER_LIMBS;
    const s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
    let column = inc[0] + s0 * m[0];
    let carry = (column * INVERSE_LIMB_BASE) | 0;
    s[0] = column - carry * LIMB_BASE;
    column = carry + inc[1] + s0 * m[1] + s1 * m[0];
    carry = (column * INVERSE_LIMB_BASE) | 0;
    s[1] = column - carry * LIMB_BASE;
    column = carry + inc[2] + s0 * m[2] + s1 * m[1] + s2 * m[0];
    carry = (column * INVERSE_LIMB_BASE) | 0;
    s[2] = column - carry * LIMB_BASE;
    column = carry + inc[3] + s0 * m[3] + s1 * m[2] + s2 * m[1] + s3 * m[0];
    carry = (column * INVERSE_LIMB_BASE) | 0;
    s[3] = column - carry * LIMB_BASE;
    column = carry + inc[4] + s0 * m[4] + s1 * m[3] + s2 * m[2] + s3 * m[1] + s4 * m[0];
    carry = (column * INVERSE_LIMB_BASE) | 0;
    s[4] = column - carry * LIMB_BASE;
    column = carry + inc[5] + s0 * m[5] + s1 * m[4] + s2 * m[3] + s3 * m[2] + s4 * m[1] + s5 * m[0];
    carry = (column * INVERSE_LIMB_BASE) | 0;
    s[5] = column - carry * LIMB_BASE;
    column = carry + inc[6] + s0 * m[6] + s1 * m[5] + s2 * m[4] + s3 * m[3] + s4 * m[2] + s5 * m[1] + s6 * m[0];
    carry = (column * INVERSE_LIMB_BASE) | 0;
    s[6] = column - carry * LIMB_BASE;
    column = carry + inc[7] + s0 * m[7] + s1 * m[6] + s2 * m[5] + s3 * m[4] + s4 * m[3] + s5 * m[2] + s6 * m[1] + s7 * m[0];
    s[7] = column - ((column * INVERSE_LIMB_BASE) | 0) * LIMB_BASE;
  }
}

/** A 128-bit integer as 16-bit limbs, least significant first. */
function toLimbs(n: bigint): Float64Array {
  return Float64Array.from({ length: LIMBS }, (_, i) => Number((n >> (LIMB_BITS * BigInt(i))) & LIMB_MASK));
}

const MULTIPLIER_LIMBS = toLimbs(PCG_MULTIPLIER);

/**
 * numpy's `Generator` on PCG64, for the draws Gymnasium's envs make: `new NumpyGenerator(seed)` is
 * Gymnasium's `seeding.np_random(seed)[0]`, and without a seed it starts from OS entropy as
 * Gymnasium's unseeded `np_random` does.
 */
export class NumpyGenerator {
  readonly bitGenerator: Pcg64;

  /**
   * @param seed a non-negative safe integer or bigint, as Gymnasium's `np_random` accepts.
   * @throws Error for a negative, fractional or unsafe seed.
   */
  constructor(seed?: number | bigint) {
    if (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) {
      throw new Error(`NumpyGenerator: seed must be a non-negative integer, got ${seed}`);
    }
    this.bitGenerator = new Pcg64(new SeedSequence(seed === undefined ? undefined : BigInt(seed)));
  }

  /** Uniform in [0, 1), as `Generator.random()`. */
  random(): number {
    return this.bitGenerator.nextDouble();
  }

  /**
   * One draw of `Generator.uniform(low, high)`: `low + (high - low) * u`; an array `size` draws these
   * one after another, and array bounds draw element by element, so callers loop.
   * @throws Error when `high - low` is not finite (numpy's OverflowError) or negative.
   */
  uniform(low: number, high: number): number {
    const range = high - low;
    if (!Number.isFinite(range) || range < 0) throw new Error(`NumpyGenerator.uniform: high - low must be finite and >= 0, got [${low}, ${high})`);
    return low + range * this.random();
  }
}
