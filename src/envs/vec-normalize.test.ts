import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obs, VectorEnv, VectorStepResult } from './core.js';
import { Box, Discrete } from './spaces.js';
import { CLIP_OBS, NORM_EPSILON, VecNormalize, normalizeObs } from './vec-normalize.js';

/** Two copies; copy i observes [t + i, -t] and gets reward t + 1 at step t; copy 1's episodes end every 2 steps. */
class ScriptedEnv implements VectorEnv {
  readonly numEnvs = 2;
  readonly singleObservationSpace = new Box(-Infinity, Infinity, [2]);
  readonly singleActionSpace = new Discrete(2);
  t = 0;

  private obs(): Obs {
    return Float32Array.of(this.t, -this.t, this.t + 1, -this.t);
  }

  reset() {
    this.t = 0;
    return { obs: this.obs(), infos: [{}, {}] };
  }

  step(): VectorStepResult {
    const reward = this.t + 1;
    this.t++;
    const ended = this.t % 2 === 0;
    return {
      obs: this.obs(),
      rewards: Float64Array.of(reward, reward),
      terminated: Uint8Array.of(0, ended ? 1 : 0),
      truncated: Uint8Array.of(0, 0),
      finalObs: [null, ended ? Float32Array.of(100, 100) : null],
      infos: [{}, ended ? { episode: { r: 3, l: 2 } } : {}],
    };
  }

  close(): void {}
}

test('observations are normalised with the statistics set, clipped at 10; final observations too', () => {
  const env = new VecNormalize(new ScriptedEnv(), { obs: true, reward: false, gamma: 0.9 });
  assert.equal(String(env.singleObservationSpace), 'Box(-10, 10, (2,), float32)');
  env.obsStats.mean.set([1, -1]);
  env.obsStats.var.set([4, 0.25]);
  const { obs } = env.reset();
  // (0 - 1) / 2, (0 + 1) / 0.5; (1 - 1) / 2, (0 + 1) / 0.5.
  [-0.5, 2, 0, 2].forEach((expected, i) => assert.ok(Math.abs(obs[i] - expected) < 1e-6, `obs[${i}] ${obs[i]}, expected ${expected}`));
  assert.deepEqual(obs, normalizeObs(Float32Array.of(0, 0, 1, 0), env.obsStats));
  env.step([0, 0]);
  const second = env.step([0, 0]);
  assert.deepEqual(Array.from(second.finalObs[1]!), [CLIP_OBS, CLIP_OBS], '(100 - mean) / std is clipped to 10');
  assert.equal(second.finalObs[0], null);
  assert.deepEqual(second.infos[1].episode, { r: 3, l: 2 }, 'episode reports stay raw');
});

test('rewards are divided by the std of the discounted return set, clipped at 10; each copy\'s return restarts after its episode', () => {
  const env = new VecNormalize(new ScriptedEnv(), { obs: false, reward: true, gamma: 0.5 });
  env.retStats.var[0] = 4;
  env.reset();
  const first = env.step([0, 0]);
  assert.ok(Math.abs(first.rewards[0] - 1 / Math.sqrt(4 + NORM_EPSILON)) < 1e-12);
  assert.deepEqual(Array.from(env.step([0, 0]).obs), [2, -2, 3, -2], 'observations pass untouched');
  env.retStats.var[0] = 0.01;
  assert.equal(env.step([0, 0]).rewards[0], 10, '3 / 0.1 is clipped to 10');
  // Returns seen: copy 0 1, 2.5, 4.25; copy 1 1, 2.5, then 3 after its episode ended at step 2.
  const { ret } = env.takeIncrements();
  const returns = [1, 1, 2.5, 2.5, 4.25, 3];
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  assert.equal(ret.count, 6);
  assert.ok(Math.abs(ret.mean[0] - mean) < 1e-12);
  assert.ok(Math.abs(ret.var[0] - returns.reduce((s, r) => s + (r - mean) ** 2, 0) / returns.length) < 1e-12);
});

test('increments hold the raw observations seen since they were last taken, resets included', () => {
  const env = new VecNormalize(new ScriptedEnv(), { obs: true, reward: true, gamma: 0.9 });
  env.reset();
  env.step([0, 0]);
  const first = env.takeIncrements();
  // Rows [0, 0], [1, 0], then [1, -1], [2, -1].
  assert.equal(first.obs.count, 4);
  assert.deepEqual(Array.from(first.obs.mean), [1, -0.5]);
  assert.deepEqual(Array.from(first.obs.var), [0.5, 0.25]);
  assert.equal(env.takeIncrements().obs.count, 0, 'taken increments start again from nothing');
  const frames = Object.assign(new ScriptedEnv(), { singleObservationSpace: new Box(0, 255, [4], 'uint8') });
  assert.throws(() => new VecNormalize(frames, { obs: true, reward: false, gamma: 0.9 }), /not float32/);
});
