// MuJoCo through the bridge: the first use installs Gymnasium's `mujoco` extra into the venv (see
// python-env.ts); observations (float64 in MuJoCo) arrive as Gymnasium's cast to float32, and
// float32 actions reach the physics unchanged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { GymVectorEnv } from './gym-vector-env.js';
import { extraPackagesFor, resolvePython } from './python-env.js';

const ENV_ID = 'InvertedPendulum-v5';
const ACTIONS = [
  [0.5, -1.25],
  [3, -3],
  [0.1, 0.2],
];

interface Reference {
  obs: number[][];
  rewards: number[];
  terminated: boolean[];
}

/** What Gymnasium itself gives for copies seeded 0 and 1 stepped with ACTIONS (float32, as the bridge sends them): float64 observations. */
function gymnasiumReference(): { reset: number[][]; steps: Reference[] } {
  const python = resolvePython({}, extraPackagesFor(ENV_ID));
  const script = `
import json, sys, gymnasium as gym, numpy as np
envs = [gym.make('${ENV_ID}') for _ in range(2)]
reset = [env.reset(seed=i)[0].tolist() for i, env in enumerate(envs)]
steps = []
for row in json.loads(sys.argv[1]):
    outs = [env.step(np.array([a], np.float32)) for env, a in zip(envs, row)]
    steps.append(dict(obs=[o[0].tolist() for o in outs], rewards=[float(o[1]) for o in outs], terminated=[bool(o[2]) for o in outs]))
print(json.dumps(dict(dtype=str(reset and envs[0].observation_space.dtype), reset=reset, steps=steps)))
`;
  const run = spawnSync(python, ['-c', script, JSON.stringify(ACTIONS)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { dtype: string; reset: number[][]; steps: Reference[] };
  assert.equal(out.dtype, 'float64', 'MuJoCo observes in float64');
  return out;
}

test(`${ENV_ID} through the bridge: Gymnasium's float64 observations as float32, float32 actions unchanged`, () => {
  assert.deepEqual(extraPackagesFor(ENV_ID), ['mujoco', 'imageio', 'packaging']);
  assert.deepEqual(extraPackagesFor('CartPole-v1'), []);
  const reference = gymnasiumReference();
  const env = new GymVectorEnv(ENV_ID, 2);
  try {
    assert.equal(String(env.singleObservationSpace), 'Box(-inf, inf, (4,), float32)');
    assert.equal(String(env.singleActionSpace), 'Box(-3, 3, (1,), float32)');
    const { obs } = env.reset({ seed: 0 });
    assert.deepEqual(Array.from(obs), reference.reset.flat().map(Math.fround));
    ACTIONS.forEach((row, t) => {
      const result = env.step(Float32Array.from(row));
      const expected = reference.steps[t];
      assert.deepEqual(Array.from(result.terminated, (x) => x === 1), expected.terminated);
      // A copy that ended was reset at once; the observation it ended on is its final one.
      const observed = [0, 1].map((i) => Array.from(result.finalObs[i] ?? result.obs.subarray(i * 4, (i + 1) * 4)));
      assert.deepEqual(observed, expected.obs.map((o) => o.map(Math.fround)), `observations after step ${t}`);
      assert.deepEqual(Array.from(result.rewards), expected.rewards);
    });
    assert.throws(() => env.step(Float32Array.of(0, NaN)), { message: `GymVectorEnv("${ENV_ID}").step: copy 1: action [NaN] is not finite` });
    assert.throws(() => env.step(Float32Array.of(0, 3.5)), { message: `GymVectorEnv("${ENV_ID}").step: copy 1: action [3.5] is not in the action space Box(-3, 3, (1,), float32)` });
  } finally {
    env.close();
  }
});
