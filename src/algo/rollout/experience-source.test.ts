import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeVectorEnv } from '../../envs/registry.js';
import { initBackend } from '../../nn/kernels/backend.js';
import { createNet } from '../../nn/networks.js';
import { ExperienceSource, type ExperienceSourceOptions } from './experience-source.js';

const NUM_ENVS = 2;
const T_MAX = 5;

function source(options: Partial<ExperienceSourceOptions>): ExperienceSource {
  const net = createNet({ kind: 'mlp', obsSize: 4, numActions: 2, hidden: [8] }, 0);
  return new ExperienceSource(makeVectorEnv('CartPole-v1', NUM_ENVS), net, { gamma: 0.99, nSteps: T_MAX, returns: 'first-last', gaeLambda: 1, seed: 0, noiseHoldSteps: 1, ...options });
}

test('forward-view: rollouts of any size are cut from t_max rollouts and keep their episode starts', async () => {
  await initBackend({});
  const experience = source({ returns: 'forward-view', gaeLambda: 0.95 });
  const first = experience.collect(7);
  const second = experience.collect(7);
  for (const rollout of [first, second]) {
    assert.equal(rollout.size, 7);
    assert.equal(rollout.episodeStarts?.length, 7);
  }
  assert.deepEqual(Array.from(first.episodeStarts!.slice(0, NUM_ENVS)), [1, 1], 'both copies start from a reset');
  // 10 transitions per t_max rollout, each out one step after its last: 14 need two, 11 steps of 2 copies.
  assert.equal(experience.takeEnvSteps(), (2 * T_MAX + 1) * NUM_ENVS);
  experience.env.close();
});

test('first-last: transitions carry no episode starts', async () => {
  await initBackend({});
  const experience = source({});
  assert.equal(experience.collect(4).episodeStarts, undefined);
  experience.env.close();
});
