// reset({ seed }) gives Gymnasium 1.3.0's start state, and the unseeded resets after it continue
// Gymnasium's stream, for seeds disjoint from those numpy-random.test.ts checks the generator on
// (test/data/numpy-seeding/gymnasium-resets.json, from generate.py beside it). Vector envs seed copy i with seed + i.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StatefulEnv } from '../core.js';
import { make, makeVectorEnv } from '../registry.js';

interface RecordedReset {
  obs: number[];
  /** The float64 state behind `obs` (`env.unwrapped.state`). */
  state: number[];
}

interface SeededCase extends RecordedReset {
  env: string;
  seed: number;
  /** `reset()` without a seed, one after another, after the seeded one. */
  unseeded: RecordedReset[];
}

interface VectorCase {
  env: string;
  seed: number;
  num_envs: number;
  /** `[numEnvs * obsSize]`. */
  obs: number[];
}

const DATA = 'test/data/numpy-seeding/gymnasium-resets.json';
const ENV_IDS = ['Acrobot-v1', 'CartPole-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'];

/** From the repo root (npm test's cwd), else relative to this compiled file in dist/src/envs/classic-control/. */
function locate(path: string): string {
  const candidates = [join(process.cwd(), path), fileURLToPath(new URL(`../../../../${path}`, import.meta.url))];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`Gymnasium resets not found; looked in ${candidates.join(', ')}`);
  return found;
}

const recorded = JSON.parse(readFileSync(locate(DATA), 'utf8')) as { resets: SeededCase[]; vector_resets: VectorCase[] };

/** Recorded observations are float32s printed as float64s, so float32 equality is exact equality. */
const asFloat32 = (values: number[]): number[] => values.map(Math.fround);

function assertReset(env: StatefulEnv, obs: ArrayLike<number>, expected: RecordedReset, where: string): void {
  assert.deepEqual(Array.from(env.state), expected.state, `${where}: state`);
  assert.deepEqual(Array.from(obs), asFloat32(expected.obs), `${where}: obs`);
}

test('Gymnasium resets are recorded for every classic-control env, several seeds each', () => {
  for (const id of ENV_IDS) assert.ok(recorded.resets.filter((c) => c.env === id).length >= 5, id);
  assert.deepEqual([...new Set(recorded.vector_resets.map((c) => c.env))].sort(), ENV_IDS);
});

for (const c of recorded.resets) {
  test(`${c.env}: reset({ seed: ${c.seed} }) and ${c.unseeded.length} unseeded resets after it match Gymnasium`, () => {
    const env = make(c.env);
    const unwrapped = env.unwrapped as StatefulEnv;
    assertReset(unwrapped, env.reset({ seed: c.seed }).obs, c, `seed ${c.seed}`);
    c.unseeded.forEach((expected, k) => assertReset(unwrapped, env.reset().obs, expected, `seed ${c.seed}, unseeded reset ${k + 1}`));
  });
}

for (const c of recorded.vector_resets) {
  test(`${c.env}: ${c.num_envs} vector copies reset with seed ${c.seed} match Gymnasium's SyncVectorEnv (copy i gets seed + i)`, () => {
    const vec = makeVectorEnv(c.env, c.num_envs);
    assert.deepEqual(Array.from(vec.reset({ seed: c.seed }).obs), asFloat32(c.obs));
    vec.close();
  });
}
