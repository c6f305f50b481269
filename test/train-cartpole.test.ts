import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A3C } from '../src/algo/a3c.js';
import type { ModeName } from '../src/algo/config/config.js';

/** Gymnasium's CartPole-v0 threshold, the bar for the test; the benchmark measures 475. */
const REWARD_BOUND = 195;
/** Env steps each mode may use; several times what the project's CartPole defaults need. */
const STEP_BUDGET = 400_000;

for (const mode of ['a2c', 'data', 'grad', 'hogwild'] as ModeName[]) {
  test(`${mode} reaches a mean reward of ${REWARD_BOUND} over 100 episodes on CartPole-v1 within ${STEP_BUDGET} steps`, async () => {
    const result = await new A3C({ env: 'CartPole-v1', mode, seed: 1, stopReward: REWARD_BOUND, maxSteps: STEP_BUDGET }).learn();
    assert.equal(result.stopReason, 'solved', `stopped by ${result.stopReason} at ${result.steps} steps, reward_100 ${result.meanReward}`);
    assert.ok(result.meanReward! >= REWARD_BOUND);
    assert.ok(result.episodes >= 100);
    assert.ok(result.steps <= STEP_BUDGET + 10_000);
  });
}
