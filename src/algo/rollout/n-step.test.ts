import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obs, VectorEnv, VectorStepResult } from '../../envs/core.js';
import { makeVectorEnv } from '../../envs/registry.js';
import { boxActionEnv, CountingEnv, DyingEnv } from '../../../test/support/counting-env.js';
import type { ActingPolicy } from './collector.js';
import { NStepCollector } from './n-step.js';
import { TransitionBatch } from './transition-batch.js';

/** V(s) = 10 + s, action always 0. */
const policy: ActingPolicy = {
  act: (obs: Obs, count: number) => ({ actions: new Int32Array(count), values: Float32Array.from(obs, (s) => 10 + s) }),
  values: (obs: Obs) => Float32Array.from(obs, (s) => 10 + s),
};

const DISCRETE_2 = { kind: 'discrete', n: 2 } as const;
const GAMMA = 0.5;
const N_STEPS = 2;

function collect(env: VectorEnv, steps: number): { obs: number[]; targets: number[] } {
  const collector = new NStepCollector(env, policy, GAMMA, N_STEPS);
  const out = new TransitionBatch(1, 'float32', DISCRETE_2);
  for (let i = 0; i < steps; i++) collector.step(out);
  const t = out.take(out.size);
  return { obs: Array.from(t.obs), targets: Array.from(t.valueTargets) };
}

test('terminated episode: n-step returns bootstrap with gamma^n V(s_n), tails do not bootstrap', () => {
  // rewards 1, 2, 3; V(s) = 10 + s.
  const { obs, targets } = collect(new CountingEnv(3, 'terminated'), 3);
  assert.deepEqual(obs, [0, 1, 2]);
  assert.deepEqual(targets, [1 + 0.5 * 2 + 0.25 * (10 + 2), 2 + 0.5 * 3, 3]);
});

test('truncated episode: tails bootstrap from V(final observation) with gamma^k', () => {
  const { targets } = collect(new CountingEnv(3, 'truncated'), 3);
  assert.deepEqual(targets, [1 + 0.5 * 2 + 0.25 * 12, 2 + 0.5 * 3 + 0.25 * 13, 3 + 0.5 * 13]);
});

test('a window is held back until the next step provides V(s_{t+n})', () => {
  const collector = new NStepCollector(new CountingEnv(100, 'terminated'), policy, GAMMA, N_STEPS);
  const out = new TransitionBatch(1, 'float32', DISCRETE_2);
  collector.step(out);
  collector.step(out);
  assert.equal(out.size, 0);
  assert.equal(collector.waitingCount, 1);
  collector.step(out);
  assert.equal(out.size, 1);
  assert.deepEqual(Array.from(out.take(1).valueTargets), [1 + 0.5 * 2 + 0.25 * 12]);
});

test('episodes are recorded with their undiscounted reward and length', () => {
  const collector = new NStepCollector(new CountingEnv(3, 'terminated'), policy, GAMMA, N_STEPS);
  const out = new TransitionBatch(1, 'float32', DISCRETE_2);
  for (let i = 0; i < 7; i++) collector.step(out);
  assert.deepEqual(collector.finishedEpisodes, [
    { reward: 6, length: 3 },
    { reward: 6, length: 3 },
  ]);
  assert.equal(collector.envSteps, 7);
});

/** Atari-like: training episodes end at each lost life (every 2 steps); a game of 3 lives scores 100 points. */
class LivesEnv extends CountingEnv {
  private lives = 3;

  constructor() {
    super(2, 'terminated');
  }

  override step(): VectorStepResult {
    const result = super.step();
    if (result.terminated[0] === 1 && --this.lives === 0) {
      this.lives = 3;
      result.infos[0] = { episode: { r: 100, l: 6 } };
    } else {
      result.infos[0] = {};
    }
    return result;
  }
}

test('reported episodes are the whole ones in info.episode, not the training episodes the env ends early', () => {
  const collector = new NStepCollector(new LivesEnv(), policy, GAMMA, N_STEPS);
  const out = new TransitionBatch(1, 'float32', DISCRETE_2);
  for (let i = 0; i < 13; i++) collector.step(out);
  assert.deepEqual(collector.finishedEpisodes, [
    { reward: 100, length: 6 },
    { reward: 100, length: 6 },
  ]);
  // Training still ends its windows at each lost life: the first life's windows do not bootstrap.
  const t = out.take(out.size);
  assert.deepEqual(Array.from(t.valueTargets.slice(0, 2)), [1 + 0.5 * 2, 2]);
});

test('an env whose process died is restarted and the unfinished windows are dropped', () => {
  const env = new DyingEnv(4);
  const collector = new NStepCollector(env, policy, GAMMA, N_STEPS);
  const out = new TransitionBatch(1, 'float32', DISCRETE_2);
  for (let i = 0; i < 7; i++) collector.step(out);
  assert.equal(env.restarts, 1);
  assert.deepEqual(collector.envRestarts, ['env server died; restarted the env']);
  // Before the crash: windows from s0 and s1 (released at steps 3 and 4). After the restart at
  // step 4 the env counts from 0 again; steps 5-7 complete the window from the new s0 only.
  const t = out.take(out.size);
  assert.deepEqual(Array.from(t.obs), [0, 1, 0]);
  assert.deepEqual(Array.from(t.valueTargets), [1 + 0.5 * 2 + 0.25 * 12, 2 + 0.5 * 3 + 0.25 * 13, 1 + 0.5 * 2 + 0.25 * 12]);
  assert.equal(collector.envSteps, 6);
});

test('other env errors are not swallowed', () => {
  const env = new CountingEnv(100, 'terminated');
  env.step = () => {
    throw new Error('bad action');
  };
  const collector = new NStepCollector(env, policy, GAMMA, N_STEPS);
  assert.throws(() => collector.step(new TransitionBatch(1, 'float32', DISCRETE_2)), /bad action/);
});

test('Box actions: the env steps with the sample clipped into its bounds, the transition keeps the sample', () => {
  const received: number[][] = [];
  const env = boxActionEnv(received);
  const samples = Float32Array.of(-3, 0.5, 0.25, 9);
  const gaussian: ActingPolicy = { act: (_obs, count) => ({ actions: samples, values: new Float32Array(count) }), values: (_obs, count) => new Float32Array(count) };
  const collector = new NStepCollector(env, gaussian, GAMMA, N_STEPS);
  const out = new TransitionBatch(1, 'float32', { kind: 'box', size: 2 });
  collector.step(out);
  assert.deepEqual(received, [[-1, 0.5, 0.25, 2]]);
  const t = out.take(out.size);
  assert.ok(t.actions instanceof Float32Array);
  assert.deepEqual(Array.from(t.actions), [-3, 0.5, 0.25, 9]);
});

test('Box actions: a NaN sample is not clipped away; the env refuses it naming itself', () => {
  const env = makeVectorEnv('Pendulum-v1', 1);
  const nan: ActingPolicy = { act: () => ({ actions: Float32Array.of(NaN), values: Float32Array.of(0) }), values: () => Float32Array.of(0) };
  const collector = new NStepCollector(env, nan, GAMMA, N_STEPS, 0);
  assert.throws(() => collector.step(new TransitionBatch(3, 'float32', { kind: 'box', size: 1 })), { message: 'SyncVectorEnv(Pendulum-v1).step: copy 0: action [NaN] is not finite' });
  env.close();
});
