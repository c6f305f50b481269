import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { A3C } from '../src/algo/a3c.js';
import type { TrainConfig } from '../src/algo/config/config.js';
import { CUE_RECALL_ID, EPISODE_STEPS } from './support/cue-recall-env.js';

const ENV_MODULE = fileURLToPath(new URL('./support/cue-recall-env.js', import.meta.url));
/** Env steps a recurrent policy may take to remember the cue; several times what it needs. */
const STEP_BUDGET = 400_000;

/** Rollouts of two whole episodes per env copy, so that each cue and its payment share a rollout. */
const SETUP: Partial<TrainConfig> = {
  env: CUE_RECALL_ID,
  envModule: ENV_MODULE,
  workers: 2,
  envsPerWorker: 8,
  nSteps: 2 * EPISODE_STEPS,
  hidden: [16],
  lstmCells: 16,
  lr: 3e-3,
  adamEps: 1e-5,
  maxGradNorm: 0.5,
  seed: 1,
};

for (const mode of ['data', 'grad', 'hogwild', 'a2c'] as const) {
  test(`${mode}: an LSTM policy remembers the cue to the end of the episode`, async () => {
    const lr = mode === 'hogwild' ? { lr: 0.01 } : {};
    const result = await new A3C({ ...SETUP, ...lr, mode, policy: 'lstm', maxSteps: STEP_BUDGET }).learn();
    assert.equal(result.stopReason, 'solved', `stopped by ${result.stopReason} at ${result.steps} steps, reward_100 ${result.meanReward}`);
  });
}

test('a feed-forward policy cannot: it only guesses the cue', async () => {
  const result = await new A3C({ ...SETUP, mode: 'a2c', maxSteps: STEP_BUDGET / 4 }).learn();
  assert.equal(result.stopReason, 'max-steps');
  assert.ok(Math.abs(result.meanReward!) < 0.5, `reward_100 ${result.meanReward}`);
});
