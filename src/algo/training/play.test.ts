import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Env, StepResult } from '../../envs/core.js';
import { registerEnvFamily } from '../../envs/registry.js';
import { Box, Discrete } from '../../envs/spaces.js';
import type { Checkpoint } from '../../io/checkpoint.js';
import { initBackend } from '../../nn/kernels/backend.js';
import * as tf from '@tensorflow/tfjs';
import { createNet } from '../../nn/networks.js';
import { netSpecFor } from '../rollout/policy.js';
import { resolveConfig } from './resolve-config.js';
import { playCheckpoint } from './play.js';

/** A game of 3 lives of 2 steps each; training episodes end at each lost life; the game scores 100. */
class LivesGame implements Env {
  readonly id = 'LivesGame-v0';
  readonly observationSpace = new Box(0, 10, [1]);
  readonly actionSpace = new Discrete(2);
  readonly unwrapped = this;
  private steps = 0;

  reset() {
    return { obs: Float32Array.of(this.steps), info: {} };
  }

  step(): StepResult {
    this.steps++;
    const lifeLost = this.steps % 2 === 0;
    const gameOver = this.steps === 6;
    if (gameOver) this.steps = 0;
    return { obs: Float32Array.of(this.steps), reward: 1, terminated: lifeLost, truncated: false, info: gameOver ? { episode: { r: 100, l: 6 } } : {} };
  }

  close() {}
}

/** A checkpoint of `net` as it was made: no training, no optimiser state. */
function untrainedCheckpoint(config: Checkpoint['config'], netSpec: Checkpoint['netSpec'], net: ReturnType<typeof createNet>): Checkpoint {
  return {
    config,
    netSpec,
    weights: net.variables.map((v) => ({ name: v.name, shape: [...v.shape] })),
    params: net.getParams(),
    optimizer: { name: 'adam', step: 0, buffers: {} },
    counters: { envSteps: 0, updates: 0, trainedSamples: 0, episodes: 0, seconds: 0 },
    recentRewards: [],
    runDir: null,
  };
}

test('play counts whole games as the env reports them, through its lost lives', async () => {
  await initBackend({});
  registerEnvFamily({ name: 'lives-game', matches: (id) => id === 'LivesGame-v0', make: () => new LivesGame() });
  const config = resolveConfig({ env: 'LivesGame-v0', hidden: [4] });
  const netSpec = { kind: 'mlp' as const, obsSize: 1, numActions: 2, hidden: [4] };
  const net = createNet(netSpec, 0);
  const checkpoint = untrainedCheckpoint(config, netSpec, net);
  net.dispose();
  const result = playCheckpoint(checkpoint, { episodes: 2, seed: 0 }, 'in memory');
  assert.deepEqual(result.rewards, [100, 100]);
  assert.deepEqual(result.lengths, [6, 6]);
  assert.equal(result.meanReward, 100);
});

/** Box actions in [-1, 1]^2; observes [1, 2, 3] always; records the actions it is given; episodes of 3 steps. */
class ActionRecorder implements Env {
  readonly id = 'ActionRecorder-v0';
  readonly observationSpace = new Box(-10, 10, [3]);
  readonly actionSpace = new Box(-1, 1, [2]);
  readonly unwrapped = this;
  readonly actions: number[][] = [];
  private steps = 0;

  reset() {
    this.steps = 0;
    return { obs: Float32Array.of(1, 2, 3), info: {} };
  }

  step(action: ArrayLike<number>): StepResult {
    this.actions.push(Array.from(action));
    this.steps++;
    const ended = this.steps === 3;
    return { obs: Float32Array.of(1, 2, 3), reward: -Math.abs(action[0]), terminated: ended, truncated: false, info: ended ? { episode: { r: 0, l: 3 } } : {} };
  }

  close() {}
}

test('Box actions: play steps with the mean of the normalised observation, clipped; --stochastic samples; missing statistics are named', async () => {
  await initBackend({});
  const recorder = new ActionRecorder();
  registerEnvFamily({ name: 'action-recorder', matches: (id) => id === recorder.id, make: () => recorder });
  const config = resolveConfig({ env: recorder.id, hidden: [4], normalizeObs: true, logStdInit: 0 });
  const netSpec = { kind: 'mlp' as const, obsSize: 3, numActions: 2, hidden: [4], gaussian: { std: 'state-independent' as const, logStdInit: 0 } };
  const net = createNet(netSpec, 3);
  // Scale the mean head so that one of the two means falls outside [-1, 1].
  const params = net.getParams();
  for (let i = 3 * 4 + 4; i < 3 * 4 + 4 + 4 * 2 + 2; i++) params[i] *= 8;
  net.setParams(params);
  const normalization = { obs: { count: 10, mean: [1, 1, 1], var: [4, 4, 4] }, ret: { count: 10, mean: [0], var: [1] } };
  const normalized = tf.tensor2d([[0, 0.5, 1]].map((row) => row.map((x) => x / Math.sqrt(1 + 1e-8 / 4))));
  const out = tf.tidy(() => net.forward(normalized));
  assert.ok('mean' in out);
  const mean = Array.from(out.mean.dataSync());
  tf.dispose([out.mean, out.logStd, out.value, normalized]);
  const expected = mean.map((m) => Math.min(Math.max(m, -1), 1));
  assert.ok(mean.some((m) => Math.abs(m) > 1), `the means ${mean} test the clipping`);
  const checkpoint = { ...untrainedCheckpoint(config, netSpec, net), normalization };
  net.dispose();

  playCheckpoint(checkpoint, { episodes: 2, seed: 0 }, 'in memory');
  assert.equal(recorder.actions.length, 6);
  for (const action of recorder.actions) action.forEach((a, d) => assert.ok(Math.abs(a - expected[d]) < 1e-5, `greedy action ${action}, expected the clipped mean ${expected}`));

  recorder.actions.length = 0;
  playCheckpoint(checkpoint, { episodes: 2, seed: 0, stochastic: true }, 'in memory');
  assert.ok(recorder.actions.some((action) => action.some((a, d) => Math.abs(a - expected[d]) > 1e-3)), 'samples, not the mean');
  assert.ok(recorder.actions.flat().every((a) => a >= -1 && a <= 1), 'samples are clipped into the space');

  assert.throws(() => playCheckpoint({ ...checkpoint, normalization: null }, { episodes: 1, seed: 0 }, 'runs/x'), /checkpoint runs\/x: trained with normalizeObs but holds no normalisation statistics/);
});

/**
 * A game of 2 lives of 3 steps each with a Box action in [-100, 100]; observes the step within the
 * life, so that every life looks the same; records the actions it is given.
 */
class RecurrentLivesRecorder implements Env {
  readonly id = 'RecurrentLivesRecorder-v0';
  readonly observationSpace = new Box(0, 3, [1]);
  readonly actionSpace = new Box(-100, 100, [1]);
  readonly unwrapped = this;
  readonly actions: number[] = [];
  private steps = 0;

  reset() {
    return { obs: Float32Array.of(this.steps % 3), info: {} };
  }

  step(action: ArrayLike<number>): StepResult {
    this.actions.push(action[0]);
    this.steps++;
    const lifeLost = this.steps % 3 === 0;
    const gameOver = this.steps === 6;
    if (gameOver) this.steps = 0;
    return { obs: Float32Array.of(lifeLost ? 3 : this.steps % 3), reward: 0, terminated: lifeLost, truncated: false, info: gameOver ? { episode: { r: 0, l: 6 } } : {} };
  }

  close() {}
}

test('policy lstm: play starts every episode and every life from a zero LSTM state, and carries it within them', async () => {
  await initBackend({});
  const recorder = new RecurrentLivesRecorder();
  registerEnvFamily({ name: 'recurrent-lives-recorder', matches: (id) => id === recorder.id, make: () => recorder });
  const config = resolveConfig({ env: recorder.id, hidden: [4], policy: 'lstm', lstmCells: 3 });
  const netSpec = netSpecFor(recorder.observationSpace, recorder.actionSpace, config);
  const net = createNet(netSpec, 3);
  // Weights twice as large, so that the LSTM state weighs on every action.
  net.setParams(net.getParams().map((p) => 2 * p));
  // The greedy action (the Gaussian's mean) at each step of a life played from `state`, `[1, 2 cells]`.
  const lifeFrom = (state: Float32Array): { actions: number[]; state: Float32Array } => {
    const actions: number[] = [];
    for (let t = 0; t < 3; t++) {
      const out = tf.tidy(() => net.forward(tf.tensor2d([[t]]), { state: tf.tensor2d(state, [1, 6]), episodeStarts: tf.zeros([1]), steps: 1 }));
      assert.ok('mean' in out);
      actions.push(out.mean.dataSync()[0]);
      state = out.state!.dataSync() as Float32Array;
      tf.dispose([out.mean, out.logStd, out.value, out.state!]);
    }
    return { actions, state };
  };
  const fromZeros = lifeFrom(new Float32Array(6));
  const carried = lifeFrom(fromZeros.state).actions;
  const checkpoint = untrainedCheckpoint(config, netSpec, net);
  net.dispose();
  assert.ok(carried.every((a, t) => Math.abs(a - fromZeros.actions[t]) > 1e-2), `a state carried over from the previous life acts otherwise: ${carried} vs ${fromZeros.actions}`);

  playCheckpoint(checkpoint, { episodes: 2, seed: 0 }, 'in memory');
  assert.equal(recorder.actions.length, 12, '2 games of 2 lives of 3 steps');
  recorder.actions.forEach((a, k) => {
    const want = fromZeros.actions[k % 3];
    assert.ok(Math.abs(a - want) < 1e-5, `game ${Math.floor(k / 6)}, life ${Math.floor(k / 3) % 2}, step ${k % 3}: action ${a}, from a zero state at the life's start ${want}`);
  });
});
