// Checks SeedSequence, PCG64 and Generator against numpy 2.4's own outputs, recorded by
// test/data/numpy-seeding/generate.py for seeds of 1 to 6 uint32 words.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NumpyGenerator, Pcg64, SeedSequence } from './numpy-random.js';

interface NumpyCase {
  /** Decimal strings: JSON numbers lose integers above 2^53. */
  seed: string;
  pool: number[];
  state_uint32: number[];
  state_uint64: string[];
  pcg64_state: string;
  pcg64_inc: string;
  random_raw: string[];
  /** `random_raw(count)` summarised: the xor of all outputs and the last one. */
  long_stream: { count: number; xor: string; last: string };
  random: number[];
  uniform: { low: number; high: number; draws: number[] }[];
}

const DATA = 'test/data/numpy-seeding/numpy-random.json';

/** From the repo root (npm test's cwd), else relative to this compiled file in dist/src/utils/. */
function locate(path: string): string {
  const candidates = [join(process.cwd(), path), fileURLToPath(new URL(`../../../${path}`, import.meta.url))];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`numpy reference data not found; looked in ${candidates.join(', ')}`);
  return found;
}

const { cases } = JSON.parse(readFileSync(locate(DATA), 'utf8')) as { cases: NumpyCase[] };

test('the reference data covers multi-word seeds beyond the pool size', () => {
  assert.ok(cases.some((c) => BigInt(c.seed) >= 1n << 160n));
});

for (const c of cases) {
  const seed = BigInt(c.seed);

  test(`SeedSequence(${c.seed}): pool and generate_state match numpy`, () => {
    const seq = new SeedSequence(seed);
    assert.deepEqual(Array.from(seq.pool), c.pool);
    assert.deepEqual(Array.from(seq.generateState(c.state_uint32.length)), c.state_uint32);
    assert.deepEqual(seq.generateState64(c.state_uint64.length), c.state_uint64.map(BigInt));
  });

  test(`PCG64(${c.seed}): seeded state, increment and random_raw match numpy`, () => {
    const pcg = new Pcg64(new SeedSequence(seed));
    assert.equal(pcg.currentState, BigInt(c.pcg64_state));
    assert.equal(pcg.increment, BigInt(c.pcg64_inc));
    assert.deepEqual(Array.from(c.random_raw, () => pcg.nextUint64()), c.random_raw.map(BigInt));
  });

  test(`PCG64(${c.seed}): ${c.long_stream.count} random_raw outputs match numpy's xor and last output`, () => {
    const pcg = new Pcg64(new SeedSequence(seed));
    let xor = 0n;
    let last = 0n;
    for (let i = 0; i < c.long_stream.count; i++) {
      last = pcg.nextUint64();
      xor ^= last;
    }
    assert.deepEqual([xor, last], [BigInt(c.long_stream.xor), BigInt(c.long_stream.last)]);
  });

  test(`Generator(PCG64(${c.seed})): random() then uniform() draws match numpy exactly`, () => {
    const generator = new NumpyGenerator(seed);
    assert.deepEqual(Array.from(c.random, () => generator.random()), c.random);
    for (const { low, high, draws } of c.uniform) {
      assert.deepEqual(Array.from(draws, () => generator.uniform(low, high)), draws, `uniform(${low}, ${high})`);
    }
  });
}

test('a number seed and a bigint seed give the same stream', () => {
  const a = new NumpyGenerator(2 ** 53 - 1);
  const b = new NumpyGenerator(2n ** 53n - 1n);
  assert.equal(a.random(), b.random());
});

test('unseeded generators start from OS entropy, so two differ', () => {
  assert.notEqual(new NumpyGenerator().bitGenerator.nextUint64(), new NumpyGenerator().bitGenerator.nextUint64());
  assert.ok(new SeedSequence().entropy < 1n << 128n);
});

test('a seed must be a non-negative integer', () => {
  assert.throws(() => new NumpyGenerator(-1), { message: 'NumpyGenerator: seed must be a non-negative integer, got -1' });
  assert.throws(() => new NumpyGenerator(0.5), /got 0\.5/);
  assert.throws(() => new NumpyGenerator(2 ** 53), /got 9007199254740992/);
  assert.throws(() => new SeedSequence(-3n), { message: 'SeedSequence: entropy must be a non-negative integer, got -3' });
});

test('uniform refuses a reversed or infinite range, as numpy', () => {
  const generator = new NumpyGenerator(0);
  assert.throws(() => generator.uniform(1, 0), /high - low must be finite and >= 0, got \[1, 0\)/);
  assert.throws(() => generator.uniform(-1e308, 1e308), /must be finite/);
});
