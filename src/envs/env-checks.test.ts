// The env checker (Gymnasium's passive env checker): malformed envs fail on their first reset or
// step with one line naming the env, the method, the field, what was expected and what came.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Env } from './core.js';
import { actionProblem, describeValue, EnvCheckError } from './env-checks.js';
import { listEnvIds, make, makeVectorEnv, registerEnv } from './registry.js';
import { Box, Discrete } from './spaces.js';
import { PassiveEnvChecker } from './wrappers.js';

const ID = 'Corridor-v0';
const OBS_SPACE = new Box(0, 1, [2]);
const GOOD_RESET = { obs: Float32Array.of(0, 0.5), info: {} };
const GOOD_STEP = { obs: Float32Array.of(1, 0.5), reward: -1, terminated: false, truncated: false, info: {} };

/** A tiny env (2 numbers in [0, 1], 2 actions) whose reset and step return whatever they are given. */
function envReturning(reset: unknown, step: unknown = GOOD_STEP): Env {
  return {
    id: ID,
    observationSpace: OBS_SPACE,
    actionSpace: new Discrete(2),
    get unwrapped() {
      return this;
    },
    reset: () => reset,
    step: () => step,
    close: () => {},
  } as Env;
}

function assertCheckFails(run: () => unknown, message: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof EnvCheckError, `expected an EnvCheckError, got ${String(err)}`);
    assert.equal(err.message, message);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

test('a registered env whose reset returns wrong field names fails with one line through make and makeVectorEnv', () => {
  registerEnv({ id: 'WrongFields-v0', maxEpisodeSteps: 10, entryPoint: () => ({ ...envReturning({ observation: GOOD_RESET.obs, info: {} }), id: 'WrongFields-v0' }) });
  const message = 'env "WrongFields-v0": reset() returned no "obs" field; expected { obs, info }, got { observation, info }';
  assertCheckFails(() => make('WrongFields-v0').reset(), message);
  // Before the checker this failed inside SyncVectorEnv with "Cannot convert undefined or null to object".
  assertCheckFails(() => makeVectorEnv('WrongFields-v0', 2).reset({ seed: 1 }), message);
});

test('reset: the result, obs and info are checked', () => {
  const cases: [unknown, string][] = [
    [undefined, 'reset() returned undefined; expected { obs, info }'],
    [[GOOD_RESET.obs, {}], 'reset() returned Array(2) [..., ...]; expected { obs, info }'],
    [Promise.resolve(GOOD_RESET), 'reset() returned a Promise; expected { obs, info } (reset() must return synchronously)'],
    [{ obs: GOOD_RESET.obs }, 'reset() returned no "info" field; expected { obs, info }, got { obs }'],
    [{ obs: [0, 0.5], info: {} }, 'reset() returned "obs" Array(2) [0, 0.5]; expected a Float32Array of length 2 for Box(0, 1, (2,), float32)'],
    [{ obs: Float64Array.of(0, 0.5), info: {} }, 'reset() returned "obs" Float64Array(2) [0, 0.5]; expected a Float32Array of length 2 for Box(0, 1, (2,), float32)'],
    [{ obs: Float32Array.of(0), info: {} }, 'reset() returned "obs" Float32Array(1) [0]; expected a Float32Array of length 2 for Box(0, 1, (2,), float32)'],
    [{ obs: Float32Array.of(0, 2), info: {} }, 'reset() returned "obs" Float32Array(2) [0, 2] with obs[1] = 2 outside [0, 1]; expected an observation in Box(0, 1, (2,), float32)'],
    [{ obs: Float32Array.of(NaN, 0), info: {} }, 'reset() returned "obs" Float32Array(2) [NaN, 0] with obs[0] = NaN outside [0, 1]; expected an observation in Box(0, 1, (2,), float32)'],
    [{ obs: GOOD_RESET.obs, info: null }, 'reset() returned "info" null; expected an object'],
  ];
  for (const [result, expected] of cases) assertCheckFails(() => new PassiveEnvChecker(envReturning(result)).reset(), `env "${ID}": ${expected}`);
});

test('step: the result, obs, reward, terminated, truncated and info are checked', () => {
  const cases: [unknown, string][] = [
    [null, 'step() returned null; expected { obs, reward, terminated, truncated, info }'],
    [
      { obs: GOOD_STEP.obs, reward: 1, done: false, info: {} },
      'step() returned no "terminated" field; expected { obs, reward, terminated, truncated, info }, got { obs, reward, done, info }',
    ],
    [{ ...GOOD_STEP, obs: Float32Array.of(-1, 0) }, 'step() returned "obs" Float32Array(2) [-1, 0] with obs[0] = -1 outside [0, 1]; expected an observation in Box(0, 1, (2,), float32)'],
    [{ ...GOOD_STEP, reward: '1' }, 'step() returned "reward" "1"; expected a finite number'],
    [{ ...GOOD_STEP, reward: NaN }, 'step() returned "reward" NaN; expected a finite number'],
    [{ ...GOOD_STEP, reward: -Infinity }, 'step() returned "reward" -Infinity; expected a finite number'],
    [{ ...GOOD_STEP, terminated: 0 }, 'step() returned "terminated" 0; expected a boolean'],
    [{ ...GOOD_STEP, truncated: undefined }, 'step() returned "truncated" undefined; expected a boolean'],
    [{ ...GOOD_STEP, info: [] }, 'step() returned "info" Array(0) []; expected an object'],
  ];
  for (const [result, expected] of cases) {
    const env = new PassiveEnvChecker(envReturning(GOOD_RESET, result));
    env.reset();
    assertCheckFails(() => env.step(0), `env "${ID}": ${expected}`);
  }
});

test('the env itself must have the Env contract: id, methods and spaces', () => {
  const good = envReturning(GOOD_RESET);
  const cases: [unknown, string][] = [
    [undefined, 'the env made is undefined; expected an object implementing Env (id, observationSpace, actionSpace, reset, step, close)'],
    [{ ...good, id: 3 }, 'id is 3; expected a string'],
    [{ ...good, step: undefined }, 'step is undefined; expected a method'],
    [{ ...good, observationSpace: new Discrete(3) }, 'observationSpace is Discrete { n, start, kind, shape }; expected a Box'],
    [{ ...good, actionSpace: undefined }, 'actionSpace is undefined; expected a Discrete or a Box'],
  ];
  for (const [env, expected] of cases) assertCheckFails(() => new PassiveEnvChecker(env as Env, ID), `env "${ID}": ${expected}`);
});

test('a uint8 Box wants a Uint8Array', () => {
  const frames = { ...envReturning({ obs: new Float32Array(4), info: {} }), observationSpace: new Box(0, 255, [2, 2], 'uint8') };
  assertCheckFails(
    () => new PassiveEnvChecker(frames).reset(),
    `env "${ID}": reset() returned "obs" Float32Array(4) [0, 0, 0, 0]; expected a Uint8Array of length 4 for Box(0, 255, (2, 2), uint8)`,
  );
  assert.deepEqual(new PassiveEnvChecker({ ...frames, reset: () => ({ obs: new Uint8Array(4), info: {} }) }).reset().obs, new Uint8Array(4));
});

test('only the first reset and the first step are checked, and results pass through unchanged', () => {
  let resets = 0;
  let steps = 0;
  const env = new PassiveEnvChecker({
    ...envReturning(GOOD_RESET),
    reset: () => (resets++ === 0 ? GOOD_RESET : { obs: Float32Array.of(5, 5), info: {} }),
    step: () => (steps++ === 0 ? GOOD_STEP : { ...GOOD_STEP, reward: NaN }),
  } as Env);
  assert.equal(env.reset(), GOOD_RESET);
  assert.equal(env.step(0), GOOD_STEP);
  assert.deepEqual(env.reset().obs, Float32Array.of(5, 5));
  assert.ok(Number.isNaN(env.step(0).reward));
});

test('every registered env but the malformed ones above passes the checker on reset and a step', () => {
  for (const id of listEnvIds().filter((id) => id !== 'WrongFields-v0')) {
    const env = make(id);
    env.reset({ seed: 0 });
    const action = env.actionSpace.kind === 'discrete' ? 0 : new Float32Array(env.actionSpace.size);
    env.step(action);
    env.close();
  }
});

test('describeValue renders values on one short line', () => {
  assert.equal(describeValue(new Float32Array(20)), 'Float32Array(20) [0, 0, 0, 0, 0, 0, 0, 0, ...]');
  assert.equal(describeValue({}), '{}');
  assert.equal(describeValue(new Map()), 'Map {}');
  assert.equal(describeValue(() => 0), 'a function');
  assert.equal(describeValue(3n), '3n');
});

test('a continuous action of the wrong length or with a non-finite number is one error naming the env, single or vectorised', () => {
  for (const id of ['Pendulum-v1', 'MountainCarContinuous-v0']) {
    const env = make(id);
    env.reset({ seed: 0 });
    const space = String(env.actionSpace);
    assert.throws(() => env.step(Float32Array.of(0.5, 0.5)), { message: `${id}.step: action [0.5, 0.5] is not in the action space ${space}` });
    assert.throws(() => env.step(Float32Array.of(NaN)), { message: `${id}.step: action [NaN] is not finite` });
    assert.throws(() => env.step([-Infinity]), { message: `${id}.step: action [-Infinity] is not finite` });
    const vector = makeVectorEnv(id, 2);
    vector.reset({ seed: 0 });
    assert.throws(() => vector.step(Float32Array.of(0, 0, 0)), { message: `SyncVectorEnv(${id}).step: got 3 action numbers, expected numEnvs * 1 = 2 for ${space}` });
    assert.throws(() => vector.step(Float32Array.of(0, NaN)), { message: `SyncVectorEnv(${id}).step: copy 1: action [NaN] is not finite` });
    vector.close();
  }
  // An unbounded Box takes any finite number, but no infinite one.
  const free = new Box(-Infinity, Infinity, [1]);
  assert.equal(actionProblem(free, [1e30]), null);
  assert.equal(actionProblem(free, [Infinity]), 'action [Infinity] is not finite');
});
