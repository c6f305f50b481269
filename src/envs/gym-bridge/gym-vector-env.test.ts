// The bridge on a real Gymnasium (CartPole-v1 served by python/env_server.py): spaces, Gymnasium's
// recorded episodes, same-step auto-reset, errors, and restarting a killed server.
// The first run creates the project's venv (see python-env.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GymServerDiedError } from './env-server-process.js';
import { GymVectorEnv } from './gym-vector-env.js';
import { resolvePython } from './python-env.js';

interface Trajectory {
  seed: number;
  steps: { action: number; obs: number[]; reward: number; terminated: boolean; truncated: boolean }[];
}

/** Gymnasium 1.3.0's recorded CartPole-v1 episodes, seeds 0..4 (see classic-control/gymnasium-fixtures.test.ts). */
function cartPoleTrajectories(): Trajectory[] {
  const candidates = [join(process.cwd(), 'test/data/fixtures'), fileURLToPath(new URL('../../../../test/data/fixtures', import.meta.url))];
  const dir = candidates.find((d) => existsSync(d));
  if (dir === undefined) throw new Error(`Gymnasium fixtures not found; looked in ${candidates.join(', ')}`);
  return (JSON.parse(readFileSync(join(dir, 'CartPole-v1.json'), 'utf8')) as { trajectories: Trajectory[] }).trajectories;
}

/** Steps a SIGKILLed server may still answer before it dies: far more than the kernel needs. */
const STEPS_UNTIL_KILLED = 10_000;
/** CartPole's reset draws each state variable from [-0.05, 0.05]. */
const CART_POLE_RESET_BOUND = 0.05;

test('CartPole-v1 through the bridge replays Gymnasium\'s recorded episodes, with same-step auto-reset', () => {
  const trajectories = cartPoleTrajectories();
  const numEnvs = trajectories.length;
  trajectories.forEach((trajectory, i) => assert.equal(trajectory.seed, i, 'copy i is seeded with seed + i'));
  const env = new GymVectorEnv('CartPole-v1', numEnvs);
  try {
    assert.deepEqual(env.singleObservationSpace.shape, [4]);
    assert.equal(env.singleObservationSpace.dtype, 'float32');
    assert.equal(env.singleObservationSpace.high[0], Math.fround(4.8));
    assert.equal(env.singleObservationSpace.high[1], Infinity);
    assert.equal(String(env.singleActionSpace), 'Discrete(2)');

    env.reset({ seed: 0 });
    const longest = Math.max(...trajectories.map((t) => t.steps.length));
    for (let t = 0; t < longest; t++) {
      const actions = trajectories.map((trajectory) => trajectory.steps[t]?.action ?? 0);
      const result = env.step(actions);
      assert.ok(result.obs instanceof Float32Array && result.obs.length === numEnvs * 4);
      trajectories.forEach((trajectory, i) => {
        const expected = trajectory.steps[t];
        const ended = result.terminated[i] === 1 || result.truncated[i] === 1;
        assert.equal(result.finalObs[i] !== null, ended, `finalObs[${i}] is set exactly when copy ${i} ended`);
        if (expected === undefined) return;
        assert.equal(result.rewards[i], expected.reward);
        assert.equal(result.terminated[i] === 1, expected.terminated, `terminated[${i}] at step ${t}`);
        assert.equal(result.truncated[i] === 1, expected.truncated);
        const next = Array.from(result.obs.subarray(i * 4, i * 4 + 4));
        if (ended) {
          assert.deepEqual(Array.from(result.finalObs[i] ?? []), expected.obs);
          assert.ok(next.every((x) => Math.abs(x) <= CART_POLE_RESET_BOUND), `copy ${i} restarted within the reset bounds: ${next}`);
        } else {
          assert.deepEqual(next, expected.obs);
        }
      });
    }
  } finally {
    env.close();
  }
});

test('a bad action comes back as one clear error and the server goes on serving', () => {
  const env = new GymVectorEnv('CartPole-v1', 2);
  try {
    assert.throws(() => env.step([0, 1]), /called before reset\(\)/);
    env.reset({ seed: 0 });
    assert.throws(() => env.step([0]), /got 1 action numbers, expected numEnvs \* 1 = 2/);
    assert.throws(() => env.step([0, 0.5]), /must be integers/);
    assert.throws(() => env.step([0, 2]), /action 2 of copy 1 is outside Discrete\(2\)/);
    assert.equal(env.step([1, 0]).obs.length, 8);
    assert.throws(() => env.reset({ seed: -1 }), /seed must be a non-negative integer/);
  } finally {
    env.close();
  }
});

test('an unknown id fails with Gymnasium\'s own suggestion', () => {
  assert.throws(() => new GymVectorEnv('CartPol-v1', 1), /CartPol.*Did you mean: `CartPole`/);
});

test('a killed server is detected with a clear error and restart() brings the envs back', () => {
  const env = new GymVectorEnv('CartPole-v1', 2);
  try {
    env.reset({ seed: 5 });
    env.step([0, 1]);
    const firstPid = env.serverPid;
    assert.ok(firstPid !== undefined);
    process.kill(firstPid, 'SIGKILL');
    // The kill is asynchronous: the server may answer a few more steps before it is gone.
    let failure: unknown;
    for (let t = 0; t < STEPS_UNTIL_KILLED && failure === undefined; t++) {
      try {
        env.step([0, 1]);
      } catch (error) {
        failure = error;
      }
    }
    assert.ok(failure instanceof GymServerDiedError, `a killed server raises GymServerDiedError, got ${failure}`);
    assert.match(failure.message, /CartPole-v1.*is gone: .*call restart\(\) to start a new one/);
    const restarted = env.restart();
    assert.notEqual(env.serverPid, firstPid);
    assert.equal(restarted.obs.length, 8);
    assert.ok(Array.from(restarted.obs).every((x) => Math.abs(x) <= CART_POLE_RESET_BOUND), 'fresh episodes after the restart');
    for (let t = 0; t < 5; t++) assert.equal(env.step([1, 0]).obs.length, 8);
  } finally {
    env.close();
  }
});

test('an interpreter without the server packages, or no python3 at all, is one clear error', () => {
  assert.throws(() => resolvePython({ python: '/nonexistent/python' }), /cannot import gymnasium, ale-py.* -m pip install/);
  const dir = mkdtempSync(join(tmpdir(), 'a3c-venv-test-'));
  const path = process.env.PATH;
  const python = process.env.A3C_PYTHON;
  delete process.env.A3C_PYTHON;
  process.env.PATH = '';
  try {
    assert.throws(() => resolvePython({ venvDir: join(dir, 'venv'), log: () => {} }), /python3 was not found on PATH; .*apt-get install python3 python3-venv/);
  } finally {
    process.env.PATH = path;
    if (python !== undefined) process.env.A3C_PYTHON = python;
    rmSync(dir, { recursive: true, force: true });
  }
});
