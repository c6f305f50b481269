import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendulumEnv } from './classic-control/pendulum.js';
import type { Env } from './core.js';
import { make } from './registry.js';
import { ScriptedEnv } from '../../test/support/scripted-env.js';
import { SyncVectorEnv } from './vector-env.js';
import { TimeLimit } from './wrappers.js';

test('a copy that ends is reset in the same step: obs holds its next first obs, finalObs the last one', () => {
  const copies = [new ScriptedEnv([2]), new ScriptedEnv([3])];
  const vec = new SyncVectorEnv(2, (i) => copies[i]);
  assert.deepEqual(vec.reset().obs, Float32Array.of(0, 0, 0, 0));

  const first = vec.step([0, 1]);
  assert.deepEqual(first.obs, Float32Array.of(0, 1, 0, 1));
  assert.deepEqual(first.finalObs, [null, null]);

  const second = vec.step([1, 0]);
  // Copy 0 ended on [0, 2] and already shows episode 1's first observation.
  assert.deepEqual(second.obs, Float32Array.of(1, 0, 0, 2));
  assert.deepEqual(second.finalObs, [Float32Array.of(0, 2), null]);
  assert.deepEqual(Array.from(second.rewards), [2, 2]);
  assert.deepEqual(Array.from(second.terminated), [1, 0]);
  assert.deepEqual(Array.from(second.truncated), [0, 0]);
  assert.deepEqual(second.infos, [{ resetInfo: { episodeIndex: 1 } }, {}]);

  const third = vec.step([0, 0]);
  assert.deepEqual(third.obs, Float32Array.of(1, 1, 1, 0));
  assert.deepEqual(third.finalObs, [null, Float32Array.of(0, 3)]);
  assert.deepEqual(copies[0].actions, [0, 1, 0]);
  assert.deepEqual(copies[1].actions, [1, 0, 0]);
});

test('truncation by TimeLimit auto-resets too, and is reported as truncated', () => {
  const vec = new SyncVectorEnv(1, () => new TimeLimit(new ScriptedEnv([10]), 2));
  vec.reset();
  vec.step([0]);
  const result = vec.step([0]);
  assert.deepEqual([result.terminated[0], result.truncated[0]], [0, 1]);
  assert.deepEqual(result.finalObs, [Float32Array.of(0, 2)]);
  assert.deepEqual(result.obs, Float32Array.of(1, 0));
});

test('reset({seed}) seeds copy i with seed + i, as Gymnasium; no seed leaves copies unseeded', () => {
  const copies = [0, 1, 2].map(() => new ScriptedEnv([1]));
  const vec = new SyncVectorEnv(3, (i) => copies[i]);
  vec.reset({ seed: 10 });
  vec.reset();
  assert.deepEqual(
    copies.map((c) => c.resetSeeds),
    [
      [10, undefined],
      [11, undefined],
      [12, undefined],
    ],
  );
  const cartPoles = new SyncVectorEnv(2, () => make('CartPole-v1'));
  const expected = [0, 1].flatMap((i) => Array.from(make('CartPole-v1').reset({ seed: 7 + i }).obs));
  assert.deepEqual(Array.from(cartPoles.reset({ seed: 7 }).obs), expected);
});

test('stepping a vector of CartPoles equals stepping the copies one by one with manual resets', () => {
  const numEnvs = 3;
  const vec = new SyncVectorEnv(numEnvs, () => make('CartPole-v1'));
  const singles = Array.from({ length: numEnvs }, () => make('CartPole-v1'));
  vec.reset({ seed: 100 });
  singles.forEach((env, i) => env.reset({ seed: 100 + i }));
  let ends = 0;
  for (let t = 0; t < 200; t++) {
    const actions = [0, 1, 2].map((i) => (t * 7 + i * 3) % 5 < 2 ? 1 : 0);
    const result = vec.step(actions);
    singles.forEach((env, i) => {
      const single = env.step(actions[i]);
      assert.equal(result.rewards[i], single.reward);
      assert.equal(result.terminated[i], single.terminated ? 1 : 0);
      let next = single.obs;
      if (single.terminated || single.truncated) {
        ends += 1;
        assert.deepEqual(result.finalObs[i], single.obs);
        next = env.reset().obs;
      }
      assert.deepEqual(result.obs.subarray(i * 4, (i + 1) * 4), next);
    });
  }
  assert.ok(ends > 3, `only ${ends} episodes ended`);
});

test('Box actions are split per copy: actions[i * size, (i + 1) * size)', () => {
  const vec = new SyncVectorEnv(2, () => new PendulumEnv());
  const singles = [new PendulumEnv(), new PendulumEnv()];
  vec.reset({ seed: 3 });
  singles.forEach((env, i) => env.reset({ seed: 3 + i }));
  const actions = Float32Array.of(1.5, -0.25);
  const result = vec.step(actions);
  singles.forEach((env, i) => {
    const single = env.step(actions.subarray(i, i + 1));
    assert.equal(result.rewards[i], single.reward);
    assert.deepEqual(result.obs.subarray(i * 3, (i + 1) * 3), single.obs);
  });
});

test('misuse gets one clear error', () => {
  const vec = new SyncVectorEnv(2, () => make('CartPole-v1'));
  assert.throws(() => vec.step([0, 1]), { message: 'SyncVectorEnv(CartPole-v1).step: called before reset(); call reset() first' });
  vec.reset({ seed: 0 });
  assert.throws(() => vec.step([0]), { message: 'SyncVectorEnv(CartPole-v1).step: got 1 action numbers, expected numEnvs * 1 = 2 for Discrete(2)' });
  const before = Float64Array.from((vec.envs[0].unwrapped as unknown as { state: Float64Array }).state);
  assert.throws(() => vec.step([0, 2]), { message: 'SyncVectorEnv(CartPole-v1).step: copy 1: action 2 is not in the action space Discrete(2)' });
  assert.deepEqual((vec.envs[0].unwrapped as unknown as { state: Float64Array }).state, before, 'copy 0 was not stepped');
  assert.throws(() => new SyncVectorEnv(0, () => make('CartPole-v1')), /numEnvs must be a positive integer, got 0/);
  const mixed = (i: number): Env => make(i === 0 ? 'CartPole-v1' : 'Acrobot-v1');
  assert.throws(() => new SyncVectorEnv(2, mixed), /^Error: SyncVectorEnv: copy 1 \(Acrobot-v1\) has spaces .* copy 0 \(CartPole-v1\) has .*; all copies must match$/);
});

test('a non-finite reward or an observation of the wrong length, at any step, is one line naming the env', () => {
  const broken = (fault: 'reward' | 'length') => {
    const env = new ScriptedEnv([10], 'Broken-v0');
    const step = env.step.bind(env);
    env.step = (action) => {
      const result = step(action);
      if (env.actions.length < 3) return result;
      return fault === 'reward' ? { ...result, reward: NaN } : { ...result, obs: Float32Array.of(1, 2, 3) };
    };
    const vector = new SyncVectorEnv(1, () => env);
    vector.reset();
    vector.step([0]);
    vector.step([0]);
    return () => vector.step([0]);
  };
  assert.throws(broken('reward'), { message: 'env "Broken-v0": step() returned reward NaN; expected a finite number' });
  assert.throws(broken('length'), { message: 'env "Broken-v0": step() returned an observation of length 3; its observation space Box(-inf, inf, (2,), float32) holds 2' });
});
