// Replays trajectories recorded from Gymnasium 1.3.0 (test/data/fixtures/<id>.json, and
// test/data/gymnasium-fixtures-extra/ from its generate.py) through `make(id)`, TimeLimit included,
// from `reset({ seed })`, which must land on Gymnasium's own reset state.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Action, StatefulEnv } from '../core.js';
import { make } from '../registry.js';

interface FixtureStep {
  action: number | number[];
  obs: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

interface Trajectory {
  env: string;
  /** How the recorded actions were passed to Gymnasium: a float32 or float64 ndarray, or (absent) a Python list. */
  action_dtype?: 'float32' | 'float64';
  /** Keyword arguments given to gymnasium.make, e.g. `{ sutton_barto_reward: true }`. */
  make_kwargs?: Record<string, unknown>;
  seed: number;
  reset: number[];
  reset_state: number[];
  steps: FixtureStep[];
}

const CLASSIC_CONTROL_IDS = ['Acrobot-v1', 'CartPole-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'];
const FIXTURE_DIRS = ['test/data/fixtures', 'test/data/gymnasium-fixtures-extra'];
/** Spaces and specs, checked in registry.test.ts, not trajectories. */
const SPECS_FILE = 'specs.json';

/*
 * Where exact equality is out of reach, and why: V8's Math.sin/Math.cos (an fdlibm port) and glibc's,
 * which numpy calls, differ in the last bit for about 3% of arguments. The float64 state then drifts
 * by an ulp now and then. Float32 observations hide that, except in Acrobot: the double pendulum is
 * chaotic and amplifies it, so 2 of the 5 shared trajectories differ after ~360 steps, by at most
 * 1.1e-5 by step 499. Pendulum's reward is computed from the float64 state, so it shows the ulps.
 */
const ACROBOT_OBS_TOLERANCE = 1e-4;
const REWARD_RELATIVE_TOLERANCE = 1e-12;

/** A fixture directory: from the repo root (npm test's cwd), else relative to this compiled file in dist/src/envs/classic-control/. */
function locate(dir: string): string {
  const candidates = [join(process.cwd(), dir), fileURLToPath(new URL(`../../../../${dir}`, import.meta.url))];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new Error(`Gymnasium fixtures not found; looked in ${candidates.join(', ')}`);
  return found;
}

function loadTrajectories(): Map<string, Trajectory[]> {
  const byId = new Map<string, Trajectory[]>();
  for (const dir of FIXTURE_DIRS.map(locate)) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && n !== SPECS_FILE).sort()) {
      const { trajectories } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { trajectories: Trajectory[] };
      for (const t of trajectories) byId.set(t.env, [...(byId.get(t.env) ?? []), t]);
    }
  }
  return byId;
}

const trajectoriesById = loadTrajectories();

test('there is a Gymnasium fixture for every classic-control env', () => {
  assert.deepEqual([...trajectoriesById.keys()].sort(), CLASSIC_CONTROL_IDS);
});

function assertObsEqual(actual: Float32Array, expected: number[], tolerance: number, where: string): void {
  assert.equal(actual.length, expected.length, `${where}: observation length`);
  for (let i = 0; i < expected.length; i++) {
    // The recorded values are float32s printed as float64, so float32 equality is exact equality.
    if (Math.abs(actual[i] - Math.fround(expected[i])) > tolerance) {
      assert.fail(`${where}: obs[${i}] = ${actual[i]}, Gymnasium ${expected[i]} (obs ${Array.from(actual)} vs ${expected})`);
    }
  }
}

/** Gymnasium's kwarg names camelCased, as `make` takes them: `sutton_barto_reward` -> `suttonBartoReward`. */
function asMakeOptions(kwargs: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).map(([name, value]) => [name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]));
}

/** Continuous envs follow numpy's dtype rules, so the action goes in as the container Gymnasium got. */
function asGivenToGymnasium(action: number | number[], dtype: Trajectory['action_dtype']): Action {
  if (typeof action === 'number') return action;
  if (dtype === 'float32') return Float32Array.from(action);
  if (dtype === 'float64') return Float64Array.from(action);
  return action;
}

for (const [id, trajectories] of trajectoriesById) {
  for (const trajectory of trajectories) {
    const actionsAs =
      (trajectory.action_dtype === undefined ? '' : `, ${trajectory.action_dtype} actions`) +
      (trajectory.make_kwargs === undefined ? '' : `, ${JSON.stringify(trajectory.make_kwargs)}`);
    test(`${id} seed ${trajectory.seed}${actionsAs}: ${trajectory.steps.length} steps match Gymnasium`, () => {
      const obsTolerance = id === 'Acrobot-v1' ? ACROBOT_OBS_TOLERANCE : 0;
      const env = make(id, asMakeOptions(trajectory.make_kwargs));
      // The seed alone gives Gymnasium's start state (numpy's PCG64 draws, utils/numpy-random.ts).
      const reset = env.reset({ seed: trajectory.seed });
      assert.deepEqual(Array.from((env.unwrapped as StatefulEnv).state), trajectory.reset_state, `${id} seed ${trajectory.seed}: reset state`);
      assertObsEqual(reset.obs as Float32Array, trajectory.reset, 0, `${id} seed ${trajectory.seed}: reset`);
      trajectory.steps.forEach((expected, t) => {
        const where = `${id} seed ${trajectory.seed}${actionsAs} step ${t}`;
        const action = asGivenToGymnasium(expected.action, trajectory.action_dtype);
        const result = env.step(action);
        assertObsEqual(result.obs as Float32Array, expected.obs, obsTolerance, where);
        const rewardError = Math.abs(result.reward - expected.reward);
        assert.ok(
          rewardError <= REWARD_RELATIVE_TOLERANCE * Math.max(1, Math.abs(expected.reward)),
          `${where}: reward ${result.reward}, Gymnasium ${expected.reward}`,
        );
        assert.equal(result.terminated, expected.terminated, `${where}: terminated`);
        assert.equal(result.truncated, expected.truncated, `${where}: truncated`);
      });
    });
  }
}
