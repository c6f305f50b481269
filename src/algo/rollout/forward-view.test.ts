import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obs, VectorEnv } from '../../envs/core.js';
import { SyncVectorEnv } from '../../envs/vector-env.js';
import { TimeLimit } from '../../envs/wrappers.js';
import { boxActionEnv, CountingEnv, DyingEnv } from '../../../test/support/counting-env.js';
import { ScriptedEnv } from '../../../test/support/scripted-env.js';
import type { ActingPolicy } from './collector.js';
import { ForwardViewCollector } from './forward-view.js';
import { TransitionBatch, type TransitionArrays } from './transition-batch.js';

const DISCRETE_2 = { kind: 'discrete', n: 2 } as const;

/** V(s) = 10 + s on CountingEnv's one-number observations, action always 0. */
const counting: ActingPolicy = {
  act: (obs: Obs, count: number) => ({ actions: new Int32Array(count), values: Float32Array.from(obs, (s) => 10 + s) }),
  values: (obs: Obs) => Float32Array.from(obs, (s) => 10 + s),
};

/** Steps a fresh collector `steps` times and takes everything it emitted. */
function collect(env: VectorEnv, policy: ActingPolicy, options: { gamma: number; nSteps: number; gaeLambda: number }, steps: number) {
  const collector = new ForwardViewCollector(env, policy, options);
  const out = new TransitionBatch(env.singleObservationSpace.size, 'float32', DISCRETE_2, { episodeStarts: true });
  for (let i = 0; i < steps; i++) collector.step(out);
  return { collector, t: out.take(out.size) };
}

/** gamma 0.5, t_max 3, lambda 1: the paper's forward-view returns; one rollout and the pass that bootstraps it. */
function rollout(env: CountingEnv): TransitionArrays {
  return collect(env, counting, { gamma: 0.5, nSteps: 3, gaeLambda: 1 }, 4).t;
}

test('forward-view returns within one episode bootstrap from V(s_T)', () => {
  // Rewards 1, 2, 3 from s = 0, 1, 2; R_3 = V(3) = 13.
  const t = rollout(new CountingEnv(100, 'terminated'));
  assert.deepEqual(Array.from(t.obs), [0, 1, 2]);
  const r2 = 3 + 0.5 * 13;
  const r1 = 2 + 0.5 * r2;
  assert.deepEqual(Array.from(t.valueTargets), [1 + 0.5 * r1, r1, r2]);
  assert.deepEqual(Array.from(t.episodeStarts!), [1, 0, 0]);
});

test('a terminated step ends the sum with no bootstrap; the next episode bootstraps from V(s_T)', () => {
  // s = 0, 1 (terminated), then 0 again; s_T = 1.
  const t = rollout(new CountingEnv(2, 'terminated'));
  assert.deepEqual(Array.from(t.obs), [0, 1, 0]);
  assert.deepEqual(Array.from(t.valueTargets), [1 + 0.5 * 2, 2, 1 + 0.5 * 11]);
  assert.deepEqual(Array.from(t.episodeStarts!), [1, 0, 1]);
});

test('a truncated step bootstraps from V(final observation), not from the next episode', () => {
  // The episode is cut after s = 1 on final observation 2: V = 12.
  const t = rollout(new CountingEnv(2, 'truncated'));
  assert.deepEqual(Array.from(t.valueTargets), [1 + 0.5 * (2 + 0.5 * 12), 2 + 0.5 * 12, 1 + 0.5 * 11]);
  assert.deepEqual(Array.from(t.episodeStarts!), [1, 0, 1]);
});

test('a rollout is held back until the next step provides V(s_T); episodes and env steps are counted', () => {
  const collector = new ForwardViewCollector(new CountingEnv(2, 'terminated'), counting, { gamma: 0.5, nSteps: 3, gaeLambda: 1 });
  const out = new TransitionBatch(1, 'float32', DISCRETE_2, { episodeStarts: true });
  for (let i = 0; i < 3; i++) collector.step(out);
  assert.equal(out.size, 0);
  collector.step(out);
  assert.equal(out.size, 3);
  assert.equal(collector.envSteps, 4);
  assert.deepEqual(collector.finishedEpisodes, [
    { reward: 3, length: 2 },
    { reward: 3, length: 2 },
  ]);
});

/** ScriptedEnv's observations are [episode, t]: values that differ between steps and episodes. */
const scripted: ActingPolicy = {
  act: (obs: Obs, count: number) => ({ actions: new Int32Array(count), values: scriptedValues(obs) }),
  values: (obs: Obs) => scriptedValues(obs),
};

function scriptedValues(obs: Obs): Float32Array {
  return Float32Array.from({ length: obs.length / 2 }, (_, i) => 0.7 * obs[2 * i] - 0.3 * obs[2 * i + 1] ** 2 + 1.1);
}

/** Three copies: terminated every 2 steps, terminated after 3 then 1 step, truncated every 4 steps. */
function threeCopies(): SyncVectorEnv {
  const copies = [new ScriptedEnv([2]), new ScriptedEnv([3, 1]), new TimeLimit(new ScriptedEnv([100]), 4)];
  return new SyncVectorEnv(copies.length, (i) => copies[i]);
}

/**
 * Stable-Baselines3's OnPolicyAlgorithm.collect_rollouts and RolloutBuffer.compute_returns_and_advantage
 * (common/buffers.py), transcribed: buffers [nSteps][numEnvs], truncation folded into the reward as
 * rewards[idx] += gamma * V(terminal_observation), then GAE backward from last_values.
 */
function sb3Rollouts(env: VectorEnv, gamma: number, gaeLambda: number, nSteps: number, rollouts: number) {
  const n = env.numEnvs;
  let lastObs = env.reset().obs;
  let lastEpisodeStarts = new Array<number>(n).fill(1);
  const out = { obs: [] as number[], returns: [] as number[], episodeStarts: [] as number[] };
  for (let r = 0; r < rollouts; r++) {
    const observations: Obs[] = [];
    const rewards: number[][] = [];
    const values: number[][] = [];
    const episodeStarts: number[][] = [];
    let dones: number[] = [];
    for (let step = 0; step < nSteps; step++) {
      const stepValues = Array.from(scriptedValues(lastObs));
      const result = env.step(new Int32Array(n));
      const stepRewards = Array.from(result.rewards);
      dones = Array.from(result.terminated, (t, i) => t | result.truncated[i]);
      for (let idx = 0; idx < n; idx++) {
        if (result.truncated[idx] === 1 && result.terminated[idx] === 0) stepRewards[idx] += gamma * scriptedValues(result.finalObs[idx]!)[0];
      }
      observations.push(lastObs);
      rewards.push(stepRewards);
      values.push(stepValues);
      episodeStarts.push(lastEpisodeStarts);
      lastObs = result.obs;
      lastEpisodeStarts = dones;
    }
    const lastValues = Array.from(scriptedValues(lastObs));
    const advantages = Array.from({ length: nSteps }, () => new Array<number>(n).fill(0));
    const lastGaeLam = new Array<number>(n).fill(0);
    for (let step = nSteps - 1; step >= 0; step--) {
      for (let e = 0; e < n; e++) {
        const nextNonTerminal = step === nSteps - 1 ? 1 - dones[e] : 1 - episodeStarts[step + 1][e];
        const nextValues = step === nSteps - 1 ? lastValues[e] : values[step + 1][e];
        const delta = rewards[step][e] + gamma * nextValues * nextNonTerminal - values[step][e];
        lastGaeLam[e] = delta + gamma * gaeLambda * nextNonTerminal * lastGaeLam[e];
        advantages[step][e] = lastGaeLam[e];
      }
    }
    for (let step = 0; step < nSteps; step++) {
      out.obs.push(...observations[step]);
      out.returns.push(...advantages[step].map((a, e) => a + values[step][e]));
      out.episodeStarts.push(...episodeStarts[step]);
    }
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, message: string): void {
  assert.equal(actual.length, expected.length, message);
  for (let k = 0; k < expected.length; k++) assert.ok(Math.abs(actual[k] - expected[k]) <= 1e-5 * (1 + Math.abs(expected[k])), `${message}: row ${k}: ${actual[k]} != ${expected[k]}`);
}

const GAMMA = 0.9;
const T_MAX = 5;
const ROLLOUTS = 3;

for (const gaeLambda of [0.95, 1]) {
  test(`GAE(${gaeLambda}) targets, time-major rows and episode starts match SB3's buffer over terminations and truncations`, () => {
    const expected = sb3Rollouts(threeCopies(), GAMMA, gaeLambda, T_MAX, ROLLOUTS);
    const { t } = collect(threeCopies(), scripted, { gamma: GAMMA, nSteps: T_MAX, gaeLambda }, T_MAX * ROLLOUTS + 1);
    assert.equal(t.size, 3 * T_MAX * ROLLOUTS);
    assert.deepEqual(Array.from(t.obs), expected.obs, 'row t * numEnvs + i holds copy i at step t');
    assert.deepEqual(Array.from(t.episodeStarts!), expected.episodeStarts);
    assertClose(t.valueTargets, expected.returns, 'value targets');
  });
}

test("lambda 1 gives the paper's forward-view returns: R_t = r_t + gamma R_{t+1}, stopped by terminated, V(final obs) at truncation", () => {
  const env = threeCopies();
  const { t } = collect(threeCopies(), scripted, { gamma: GAMMA, nSteps: T_MAX, gaeLambda: 1 }, T_MAX + 1);
  // Copy i's steps, replayed on a twin env: reward, and what follows the step.
  const n = env.numEnvs;
  let obs = env.reset().obs;
  const steps: { reward: number; next: 'terminated' | number | null }[][] = [];
  for (let s = 0; s < T_MAX; s++) {
    const result = env.step(new Int32Array(n));
    steps.push(
      Array.from({ length: n }, (_, i) => ({
        reward: result.rewards[i],
        next: result.terminated[i] === 1 ? 'terminated' : result.truncated[i] === 1 ? scriptedValues(result.finalObs[i]!)[0] : null,
      })),
    );
    obs = result.obs;
  }
  const expected = new Array<number>(T_MAX * n);
  const bootstrap = scriptedValues(obs);
  for (let i = 0; i < n; i++) {
    let ret = bootstrap[i];
    for (let s = T_MAX - 1; s >= 0; s--) {
      const { reward, next } = steps[s][i];
      ret = reward + (next === 'terminated' ? 0 : GAMMA * (next ?? ret));
      expected[s * n + i] = ret;
    }
  }
  assertClose(t.valueTargets, expected, 'forward-view returns');
});

test('Box actions: the env steps with the sample clipped into its bounds, the transition keeps the sample', () => {
  const received: number[][] = [];
  const samples = Float32Array.of(-3, 0.5, 0.25, 9);
  const gaussian: ActingPolicy = { act: (_obs, count) => ({ actions: samples, values: new Float32Array(count) }), values: (_obs, count) => new Float32Array(count) };
  const collector = new ForwardViewCollector(boxActionEnv(received), gaussian, { gamma: 0.5, nSteps: 1, gaeLambda: 1 });
  const out = new TransitionBatch(1, 'float32', { kind: 'box', size: 2 }, { episodeStarts: true });
  collector.step(out);
  collector.step(out);
  assert.deepEqual(received, [
    [-1, 0.5, 0.25, 2],
    [-1, 0.5, 0.25, 2],
  ]);
  const t = out.take(out.size);
  assert.ok(t.actions instanceof Float32Array);
  assert.deepEqual(Array.from(t.actions), [-3, 0.5, 0.25, 9]);
  assert.deepEqual(Array.from(t.valueTargets), [1, 1]);
});

test('an env whose process died is restarted, the rollout in progress dropped, and the next one starts episodes', () => {
  const env = new DyingEnv(3);
  const { collector, t } = collect(env, counting, { gamma: 0.5, nSteps: 2, gaeLambda: 1 }, 6);
  assert.equal(env.restarts, 1);
  assert.deepEqual(collector.envRestarts, ['env server died; restarted the env']);
  // Steps 1-2 make a rollout (from s = 0, 1, bootstrapped with V(2) = 12); step 3 dies, and the
  // rollout it began is lost; steps 4-5 make one from the restarted env's s = 0, 1.
  assert.deepEqual(Array.from(t.obs), [0, 1, 0, 1]);
  assert.deepEqual(Array.from(t.valueTargets), [1 + 0.5 * 8, 2 + 0.5 * 12, 1 + 0.5 * 8, 2 + 0.5 * 12]);
  assert.deepEqual(Array.from(t.episodeStarts!), [1, 0, 1, 0]);
  assert.equal(collector.envSteps, 5, 'six steps, one of which died');
});
