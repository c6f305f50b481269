import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A3C } from '../src/algo/a3c.js';
import type { ModeName, TrainConfig } from '../src/algo/config/config.js';

/** The A3C paper's t_max = 5 rollouts with SB3's GAE; the rest is the project's CartPole preset. */
const FORWARD_VIEW: Partial<TrainConfig> = { env: 'CartPole-v1', returns: 'forward-view', nSteps: 5, gaeLambda: 0.95, seed: 0 };
/** Gymnasium's CartPole-v0 threshold, the bar of train-cartpole.test.ts. */
const REWARD_BOUND = 195;
/**
 * Env steps the run may use; several times what it needs (as train-cartpole.test.ts): seeds 0-5
 * reached the bound after 221k-397k steps (the first-last preset's 8-step windows: 52k-167k).
 */
const STEP_BUDGET = 1_000_000;

test(`a2c with forward-view GAE rollouts reaches a mean reward of ${REWARD_BOUND} over 100 episodes on CartPole-v1 within ${STEP_BUDGET} steps`, async () => {
  const result = await new A3C({ ...FORWARD_VIEW, mode: 'a2c', stopReward: REWARD_BOUND, maxSteps: STEP_BUDGET }).learn();
  assert.equal(result.stopReason, 'solved', `stopped by ${result.stopReason} at ${result.steps} steps, reward_100 ${result.meanReward}`);
  assert.ok(result.meanReward! >= REWARD_BOUND);
  assert.ok(result.episodes >= 100);
});

for (const mode of ['data', 'grad', 'hogwild'] as ModeName[]) {
  test(`${mode} trains on forward-view rollouts`, async () => {
    const result = await new A3C({ ...FORWARD_VIEW, mode, workers: 2, stopReward: 1e9, maxSteps: 5_000 }).learn();
    assert.equal(result.stopReason, 'max-steps');
    assert.ok(result.updates > 0, `${result.updates} updates`);
  });
}
