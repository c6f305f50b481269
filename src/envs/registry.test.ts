import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Env } from './core.js';
import { envSpec, listEnvIds, make, makeVectorEnv, registerEnv, registerEnvFamily, type EnvFamily } from './registry.js';
import type { Box, Space } from './spaces.js';
import { ScriptedEnv } from '../../test/support/scripted-env.js';
import { TimeLimit } from './wrappers.js';

type JsonBound = number | 'inf' | '-inf';
interface GymnasiumBox {
  low: JsonBound[];
  high: JsonBound[];
  shape: number[];
  dtype: string;
}
interface GymnasiumSpec {
  id: string;
  max_episode_steps: number | null;
  reward_threshold: number | null;
  observation_space: GymnasiumBox;
  action_space: GymnasiumBox | { n: number; start: number };
}

/** Spaces and specs as Gymnasium 1.3.0 reports them (test/data/gymnasium-fixtures-extra/generate.py). */
function gymnasiumSpecs(): GymnasiumSpec[] {
  const relative = 'test/data/gymnasium-fixtures-extra/specs.json';
  const candidates = [join(process.cwd(), relative), fileURLToPath(new URL(`../../../${relative}`, import.meta.url))];
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`Gymnasium specs not found; looked in ${candidates.join(', ')}`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { specs: GymnasiumSpec[] }).specs;
}

const fromJson = (b: JsonBound): number => (b === 'inf' ? Infinity : b === '-inf' ? -Infinity : b);

function assertBox(actual: Box, expected: GymnasiumBox, where: string): void {
  assert.equal(actual.kind, 'box', where);
  assert.deepEqual([...actual.shape], expected.shape, `${where} shape`);
  assert.equal(actual.dtype, expected.dtype, `${where} dtype`);
  assert.deepEqual(Array.from(actual.low), expected.low.map(fromJson), `${where} low`);
  assert.deepEqual(Array.from(actual.high), expected.high.map(fromJson), `${where} high`);
}

function assertSpace(actual: Space, expected: GymnasiumSpec['action_space'], where: string): void {
  if ('n' in expected) {
    assert.ok(actual.kind === 'discrete', `${where}: expected Discrete, got ${actual}`);
    assert.deepEqual({ n: actual.n, start: actual.start }, expected, where);
  } else {
    assert.ok(actual.kind === 'box', `${where}: expected Box, got ${actual}`);
    assertBox(actual, expected, where);
  }
}

const CLASSIC_IDS = ['Acrobot-v1', 'CartPole-v0', 'CartPole-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'];

for (const expected of gymnasiumSpecs()) {
  test(`${expected.id}: spaces, step limit and reward threshold match Gymnasium's`, () => {
    assert.deepEqual(envSpec(expected.id), {
      id: expected.id,
      maxEpisodeSteps: expected.max_episode_steps,
      rewardThreshold: expected.reward_threshold,
    });
    const env = make(expected.id);
    assert.equal(env.id, expected.id);
    assertBox(env.observationSpace, expected.observation_space, `${expected.id} observation space`);
    assertSpace(env.actionSpace, expected.action_space, `${expected.id} action space`);
    assert.ok(env instanceof TimeLimit);
    assert.equal(env.maxEpisodeSteps, expected.max_episode_steps);
  });
}

test("listEnvIds lists Gymnasium's classic-control ids, sorted", () => {
  const ids = listEnvIds();
  for (const id of CLASSIC_IDS) assert.ok(ids.includes(id), id);
  assert.deepEqual(ids, [...ids].sort());
});

test('an unknown id suggests the closest id and lists the known ones', () => {
  assert.throws(() => make('CartPol-v1'), (error: Error) => {
    assert.match(error.message, /^unknown env "CartPol-v1"; did you mean "CartPole-v1"\? known ids: /);
    for (const id of CLASSIC_IDS) assert.ok(error.message.includes(id), id);
    return true;
  });
});

test('a wrong version or case is suggested the newest matching id', () => {
  assert.throws(() => make('CartPole-v2'), /did you mean "CartPole-v1"\?/);
  assert.throws(() => make('pendulum-v1'), /did you mean "Pendulum-v1"\?/);
  assert.throws(() => envSpec('Acrobot-v0'), /did you mean "Acrobot-v1"\?/);
});

test('an id close to none gets no suggestion', () => {
  assert.throws(() => make('Breakout'), /^Error: unknown env "Breakout"; known ids: /);
});

test('maxEpisodeSteps overrides the registered limit, as gymnasium.make(max_episode_steps=...)', () => {
  const env = make('CartPole-v1', { maxEpisodeSteps: 3 });
  env.reset({ seed: 0 });
  (env.unwrapped as unknown as { state: Float64Array }).state = new Float64Array(4);
  const truncated = [0, 1, 2].map((t) => env.step(t % 2).truncated);
  assert.deepEqual(truncated, [false, false, true]);
  assert.throws(() => make('CartPole-v1', { maxEpisodeSteps: 0 }), /option maxEpisodeSteps must be a positive integer, got 0/);
});

test('env options are checked by name and type', () => {
  assert.throws(() => make('CartPole-v1', { render_mode: 'human' }), {
    message: 'make("CartPole-v1"): unknown option "render_mode"; accepted options: maxEpisodeSteps, suttonBartoReward',
  });
  assert.throws(() => make('Pendulum-v1', { g: '9.8' }), { message: 'make("Pendulum-v1"): option g must be a finite number, got "9.8"' });
  assert.throws(() => make('Acrobot-v1', { g: 1 }), /unknown option "g"; accepted options: maxEpisodeSteps$/);
});

test('registerEnv adds an id that make wraps in TimeLimit; a taken id is refused', () => {
  const registration = { id: 'Scripted-v0', maxEpisodeSteps: 2, rewardThreshold: 3, entryPoint: () => new ScriptedEnv([5]) };
  registerEnv(registration);
  registerEnv(registration);
  assert.ok(listEnvIds().includes('Scripted-v0'));
  assert.deepEqual(envSpec('Scripted-v0'), { id: 'Scripted-v0', maxEpisodeSteps: 2, rewardThreshold: 3 });
  const env = make('Scripted-v0');
  env.reset();
  assert.deepEqual([env.step(0).truncated, env.step(0).truncated], [false, true]);
  assert.throws(() => registerEnv({ id: 'CartPole-v1', entryPoint: () => new ScriptedEnv([1]) }), {
    message: 'registerEnv: env "CartPole-v1" is already registered',
  });
});

test('an env family makes the ids it matches and appears in the unknown-id error', () => {
  const made: [string, Record<string, unknown>][] = [];
  const family: EnvFamily = {
    name: 'scripted-family',
    matches: (id) => id.startsWith('Family/'),
    make: (id, options) => {
      made.push([id, options]);
      return new ScriptedEnv([1], id) as Env;
    },
  };
  registerEnvFamily(family);
  registerEnvFamily(family);
  const env = make('Family/Game-v5', { frameskip: 4 });
  assert.equal(env.id, 'Family/Game-v5');
  assert.deepEqual(made, [['Family/Game-v5', { frameskip: 4 }]]);
  assert.deepEqual(envSpec('Family/Game-v5'), { id: 'Family/Game-v5', maxEpisodeSteps: null, rewardThreshold: null });
  assert.throws(() => make('Nothing-v0'), /; or an id of the families: scripted-family$/);
  assert.throws(() => registerEnvFamily({ ...family }), { message: 'registerEnvFamily: family "scripted-family" is already registered' });
});

test('makeVectorEnv makes numEnvs copies of make(id, options)', () => {
  const vec = makeVectorEnv('Pendulum-v1', 3, { g: 9.81 });
  assert.equal(vec.numEnvs, 3);
  assert.equal(vec.singleObservationSpace.size, 3);
  assert.equal(vec.reset({ seed: 0 }).obs.length, 9);
});
