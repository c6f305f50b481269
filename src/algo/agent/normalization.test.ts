import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VectorEnv, VectorStepResult } from '../../envs/core.js';
import { RunningMeanStd } from '../../envs/running-mean-std.js';
import { Box, Discrete } from '../../envs/spaces.js';
import { VecNormalize } from '../../envs/vec-normalize.js';
import { Normalizer, adoptPublishedStats, publishedStatsSize } from './normalization.js';

/** One copy observing [k, 2k] at its k-th step, reward 1. */
class Counter implements VectorEnv {
  readonly numEnvs = 1;
  readonly singleObservationSpace = new Box(-Infinity, Infinity, [2]);
  readonly singleActionSpace = new Discrete(1);
  private k = 0;
  reset() {
    this.k = 0;
    return { obs: Float32Array.of(0, 0), infos: [{}] };
  }
  step(): VectorStepResult {
    this.k++;
    return { obs: Float32Array.of(this.k, 2 * this.k), rewards: Float64Array.of(1), terminated: Uint8Array.of(0), truncated: Uint8Array.of(0), finalObs: [null], infos: [{}] };
  }
  close() {}
}

function agentEnv(): VecNormalize {
  return new VecNormalize(new Counter(), { obs: true, reward: true, gamma: 0.5 });
}

test('the trainer merges every agent\'s increments into what one env seeing all the data would hold', () => {
  const normalizer = new Normalizer(2);
  const agents = [agentEnv(), agentEnv()];
  const whole = new RunningMeanStd(2, true);
  for (const [i, env] of agents.entries()) {
    env.reset();
    whole.update([0, 0], 1);
    for (let k = 1; k <= 3 + i; k++) {
      env.step([0]);
      whole.update([k, 2 * k], 1);
    }
    const increments = env.takeIncrements();
    assert.equal(normalizer.problem(increments), null);
    normalizer.merge(increments);
  }
  assert.ok(Math.abs(normalizer.obs.count - whole.count) < 1e-9);
  normalizer.obs.mean.forEach((m, i) => assert.ok(Math.abs(m - whole.mean[i]) < 1e-9));
  normalizer.obs.var.forEach((v, i) => assert.ok(Math.abs(v - whole.var[i]) < 1e-9));
});

test('published after the parameters, the statistics reach an agent\'s env, which then normalises with them', () => {
  const normalizer = new Normalizer(2);
  normalizer.obs.merge({ count: 10, mean: Float64Array.of(1, 2), var: Float64Array.of(4, 9) });
  normalizer.ret.merge({ count: 10, mean: Float64Array.of(-3), var: Float64Array.of(16) });
  const params = Float32Array.of(0.5, -0.5, 7);
  const published = normalizer.appendTo(params);
  assert.equal(published.length, params.length + publishedStatsSize({ normalizeObs: true, normalizeReward: false }, 2));
  assert.deepEqual(Array.from(published.subarray(0, 3)), Array.from(params));
  const env = agentEnv();
  adoptPublishedStats(env, published.subarray(3));
  assert.deepEqual(Array.from(env.obsStats.mean), Array.from(normalizer.obs.mean).map(Math.fround));
  assert.deepEqual(Array.from(env.obsStats.var), Array.from(normalizer.obs.var).map(Math.fround));
  assert.equal(env.retStats.var[0], Math.fround(normalizer.ret.var[0]));
  const { obs } = env.reset();
  assert.ok(Math.abs(obs[0] - (0 - normalizer.obs.mean[0]) / Math.sqrt(normalizer.obs.var[0])) < 1e-5);
  assert.equal(publishedStatsSize({ normalizeObs: false, normalizeReward: false }, 2), 0);
});

test('the statistics survive a checkpoint as JSON, exactly', () => {
  const normalizer = new Normalizer(2);
  normalizer.obs.update([0.1, 1 / 3, 7, -2], 2);
  const restored = new Normalizer(2, JSON.parse(JSON.stringify(normalizer.state())));
  assert.deepEqual(restored.state(), normalizer.state());
  assert.throws(() => new Normalizer(3, normalizer.state()), /statistics are for 2 observations and 1 returns; the env has 3 and 1/);
});

test('malformed increments from another process are named', () => {
  const normalizer = new Normalizer(2);
  const good = { count: 1, mean: Float64Array.of(0, 0), var: Float64Array.of(0, 0) };
  const ret = { count: 1, mean: Float64Array.of(0), var: Float64Array.of(0) };
  assert.equal(normalizer.problem(undefined), 'normalization: expected the increments {obs, ret}');
  assert.equal(normalizer.problem({ obs: { ...good, count: -1 }, ret }), 'normalization.obs.count is not a finite number >= 0');
  assert.equal(normalizer.problem({ obs: { ...good, mean: Float64Array.of(0) }, ret }), 'normalization.obs.mean is not a Float64Array of 2');
  assert.equal(normalizer.problem({ obs: good, ret: { ...ret, var: Float64Array.of(NaN) } }), 'normalization.ret.var holds a non-finite value');
  assert.equal(normalizer.problem({ obs: { ...good, var: Float64Array.of(1, -1) }, ret }), 'normalization.obs.var holds a negative value');
});
