import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action, Obs, StepResult } from './core.js';
import { PendulumEnv } from './classic-control/pendulum.js';
import type { EpisodeStatistics } from './wrappers.js';
import { ClipAction, MaskVelocity, RecordEpisodeStatistics, TimeLimit, Wrapper } from './wrappers.js';
import { make } from './registry.js';
import { ScriptedEnv } from '../../test/support/scripted-env.js';

function stepUntilDone(env: { step(action: Action): StepResult }): StepResult[] {
  const results: StepResult[] = [];
  do results.push(env.step(0));
  while (!results[results.length - 1].terminated && !results[results.length - 1].truncated);
  return results;
}

test('Wrapper forwards everything, and unwrapped reaches the innermost env', () => {
  const inner = new ScriptedEnv([2]);
  const env = new Wrapper(new Wrapper(inner));
  assert.equal(env.id, inner.id);
  assert.equal(env.observationSpace, inner.observationSpace);
  assert.equal(env.actionSpace, inner.actionSpace);
  assert.equal(env.unwrapped, inner);
  assert.deepEqual(env.reset({ seed: 4 }).obs, Float32Array.of(0, 0));
  assert.deepEqual(inner.resetSeeds, [4]);
  assert.equal(env.step(1).reward, 1);
  assert.deepEqual(inner.actions, [1]);
});

test('TimeLimit truncates on step maxEpisodeSteps and restarts its count on reset', () => {
  const env = new TimeLimit(new ScriptedEnv([100]), 3);
  for (let episode = 0; episode < 2; episode++) {
    env.reset();
    const results = stepUntilDone(env);
    assert.deepEqual(
      results.map((r) => [r.terminated, r.truncated]),
      [
        [false, false],
        [false, false],
        [false, true],
      ],
    );
  }
});

test('TimeLimit passes termination through, and truncates too when both come on the same step', () => {
  const env = new TimeLimit(new ScriptedEnv([2, 3]), 3);
  env.reset();
  assert.deepEqual(stepUntilDone(env).map((r) => [r.terminated, r.truncated]), [
    [false, false],
    [true, false],
  ]);
  env.reset();
  assert.deepEqual(stepUntilDone(env).at(-1), { obs: Float32Array.of(1, 3), reward: 3, terminated: true, truncated: true, info: {} });
});

test('TimeLimit refuses a non-positive limit', () => {
  assert.throws(() => new TimeLimit(new ScriptedEnv([1]), 0), { message: 'TimeLimit(Scripted-v0): maxEpisodeSteps must be a positive integer, got 0' });
});

test('RecordEpisodeStatistics puts { r, l, t } in info.episode on the last step only', () => {
  const env = new RecordEpisodeStatistics(new ScriptedEnv([3, 2]));
  env.reset();
  const first = stepUntilDone(env);
  assert.deepEqual(first.slice(0, -1).map((r) => r.info.episode), [undefined, undefined]);
  const stats = first[2].info.episode as EpisodeStatistics;
  assert.deepEqual({ r: stats.r, l: stats.l }, { r: 1 + 2 + 3, l: 3 });
  assert.ok(stats.t >= 0 && stats.t < 60, `t = ${stats.t}`);
  env.reset();
  const second = stepUntilDone(env);
  assert.deepEqual({ ...(second[1].info.episode as EpisodeStatistics), t: 0 }, { r: 1 + 2, l: 2, t: 0 });
  assert.equal(env.episodeCount, 2);
  assert.deepEqual(env.returnQueue, [6, 3]);
  assert.deepEqual(env.lengthQueue, [3, 2]);
});

test('RecordEpisodeStatistics counts a truncated episode, and keeps only bufferLength episodes', () => {
  const env = new RecordEpisodeStatistics(new TimeLimit(new ScriptedEnv([100]), 2), 2);
  for (let episode = 0; episode < 3; episode++) {
    env.reset();
    const last = stepUntilDone(env).at(-1);
    assert.deepEqual({ ...(last?.info.episode as EpisodeStatistics), t: 0 }, { r: 3, l: 2, t: 0 });
  }
  assert.deepEqual(env.returnQueue, [3, 3]);
  assert.equal(env.episodeCount, 3);
});

test('RecordEpisodeStatistics refuses to overwrite episode statistics', () => {
  const env = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new ScriptedEnv([1])));
  env.reset();
  assert.throws(() => env.step(0), /info\.episode is already set; is the env wrapped twice\?/);
});

test('ClipAction clips into the Box and accepts any real action', () => {
  const pendulum = new PendulumEnv();
  const clipped = new ClipAction(pendulum);
  assert.equal(String(clipped.actionSpace), 'Box(-inf, inf, (1,), float32)');
  const reference = new PendulumEnv();
  clipped.reset({ seed: 2 });
  reference.reset({ seed: 2 });
  for (const [given, inBounds] of [
    [5, 2],
    [-7, -2],
    [0.5, 0.5],
  ]) {
    assert.deepEqual(clipped.step([given]), reference.step([inBounds]));
  }
  assert.deepEqual(clipped.step(Float32Array.of(3)), reference.step(Float32Array.of(2)));
  assert.throws(() => clipped.step([1, 2]), /ClipAction\(Pendulum-v1\)\.step: action \[1, 2\] must have 1 elements/);
  assert.throws(() => new ClipAction(new ScriptedEnv([1])), /needs a Box action space, got Discrete\(2\)/);
});

test('CartPoleNoVel-v1 is CartPole-v1 with the velocities zeroed (MaskVelocity), step for step', () => {
  const [plain, masked] = [make('CartPole-v1'), make('CartPoleNoVel-v1')];
  const expectMasked = (full: Obs, got: Obs, when: string) => assert.deepEqual(Array.from(got), [full[0], 0, full[2], 0], when);
  expectMasked(plain.reset({ seed: 3 }).obs, masked.reset({ seed: 3 }).obs, 'reset');
  for (let t = 0; t < 30; t++) {
    const [a, b] = [plain.step(t % 3 === 0 ? 0 : 1), masked.step(t % 3 === 0 ? 0 : 1)];
    expectMasked(a.obs, b.obs, `step ${t}`);
    assert.deepEqual([b.reward, b.terminated, b.truncated], [a.reward, a.terminated, a.truncated]);
    if (a.terminated) break;
  }
  assert.throws(() => new MaskVelocity(new PendulumEnv('Pendulum-v1'), [3]), /index 3 is outside the observation's 3 entries/);
});
