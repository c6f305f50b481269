import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Env, StepResult } from '../envs/core.js';
import { registerEnvFamily } from '../envs/registry.js';
import { Box, Discrete } from '../envs/spaces.js';
import type { Checkpoint } from '../io/checkpoint.js';
import { initBackend } from '../nn/kernels/backend.js';
import { createNet } from '../nn/networks.js';
import { resolveConfig } from './config.js';
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

test('play counts whole games as the env reports them, through its lost lives', async () => {
  await initBackend({});
  registerEnvFamily({ name: 'lives-game', matches: (id) => id === 'LivesGame-v0', make: () => new LivesGame() });
  const config = resolveConfig({ env: 'LivesGame-v0', hidden: [4] });
  const netSpec = { kind: 'mlp' as const, obsSize: 1, numActions: 2, hidden: [4] };
  const net = createNet(netSpec, 0);
  const checkpoint: Checkpoint = {
    config,
    netSpec,
    weights: net.variables.map((v) => ({ name: v.name, shape: [...v.shape] })),
    params: net.getParams(),
    optimizer: { name: 'adam', step: 0, buffers: {} },
    counters: { envSteps: 0, updates: 0, trainedSamples: 0, episodes: 0, seconds: 0 },
    recentRewards: [],
    runDir: null,
  };
  net.dispose();
  const result = playCheckpoint(checkpoint, { episodes: 2, seed: 0 }, 'in memory');
  assert.deepEqual(result.rewards, [100, 100]);
  assert.deepEqual(result.lengths, [6, 6]);
  assert.equal(result.meanReward, 100);
});
