import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../nn/kernels/backend.js';
import { createNet } from '../nn/networks.js';
import { InProcessTransport } from '../parallel/in-process-transport.js';
import { createAgent } from './agent-loop.js';
import { MODES, resolveConfig } from './config.js';
import { Learner } from './learner.js';
import { modeNamed } from './modes/index.js';
import { runTraining } from './runner.js';
import { RunStats } from './run-stats.js';
import type { TrainingContext } from './trainer.js';

const STEPS = 12_000;

// Every mode's halves on the in-process transport, so that the agent's tensors live in this
// thread's engine too.
for (const name of MODES) {
  test(`${name}: tf.memory().numTensors stays flat over many updates; the runner counts steps, episodes and updates once`, async () => {
    await initBackend({});
    const config = resolveConfig({ env: 'CartPole-v1', mode: name, workers: 1, envsPerWorker: 4, microBatch: 8, batchSize: 16, gradBatch: 8, trainBatch: 2, maxSteps: STEPS, stopReward: null });
    const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: config.hidden };
    const learner = new Learner(createNet(netSpec, 0), { lr: config.lr, adamEps: config.adamEps, maxGradNorm: config.maxGradNorm });
    const tensorsBefore = tf.memory().numTensors;
    const tensorsAtUpdate: number[] = [];
    const stats = new RunStats();
    let episodes = 0;
    let samples = 0;
    const ctx: TrainingContext = {
      config,
      netSpec,
      learner,
      stats,
      stopReward: null,
      interrupted: () => false,
      callbacks: {
        onUpdate: (update) => {
          tensorsAtUpdate.push(tf.memory().numTensors);
          samples += update.samples;
        },
        onEpisodes: (finished) => (episodes += finished.length),
      },
    };
    const mode = modeNamed(name);
    const transport = new InProcessTransport((link) => createAgent({ config, netSpec, seed: 1, numEnvs: 4 }, link, 'test'));
    const reason = await runTraining(ctx, { transport, trainer: mode.trainer(learner, { config, obsShape: [4] }), agentsLabel: 'test' });

    assert.equal(reason, 'max-steps');
    assert.ok(stats.envSteps >= STEPS && stats.envSteps < STEPS + 100, `${stats.envSteps} env steps`);
    assert.ok(tensorsAtUpdate.length > 100, `${tensorsAtUpdate.length} updates`);
    assert.deepEqual(new Set(tensorsAtUpdate), new Set([tensorsAtUpdate[0]]), 'the same number of tensors after every update');
    assert.equal(tf.memory().numTensors, tensorsBefore, "the agent's network is disposed when the run ends");
    assert.equal(stats.updates, tensorsAtUpdate.length);
    assert.equal(stats.trainedSamples, samples);
    assert.equal(samples, stats.updates * 16, "16 transitions behind every update in each mode");
    assert.equal(stats.episodes, episodes);
    assert.ok(episodes > 50);
    assert.deepEqual(stats.stalenessRecent, { mean: 0, max: 0 }, 'an in-process agent always acts with the newest parameters');
    assert.equal(transport.version, stats.updates + 1, 'one published version per update, after the initial one');
    learner.net.dispose();
  });
}

test('a failing update ends the run with its error after the agent has stopped', async () => {
  await initBackend({});
  const config = resolveConfig({ env: 'CartPole-v1', mode: 'a2c', workers: 1, envsPerWorker: 2, batchSize: 8, maxSteps: 10_000 });
  const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: config.hidden };
  const learner = new Learner(createNet(netSpec, 0), { lr: config.lr, adamEps: config.adamEps, maxGradNorm: config.maxGradNorm });
  const tensorsBefore = tf.memory().numTensors;
  let updates = 0;
  const ctx: TrainingContext = { config, netSpec, learner, stats: new RunStats(), stopReward: null, interrupted: () => false, callbacks: {} };
  const trainer = {
    receive: () => {
      if (++updates === 3) throw new Error('update 3: non-finite loss');
      return null;
    },
  };
  const transport = new InProcessTransport((link) => createAgent({ config, netSpec, seed: 1, numEnvs: 2 }, link, 'test'));
  await assert.rejects(runTraining(ctx, { transport, trainer, agentsLabel: 'test' }), /^Error: update 3: non-finite loss$/);
  assert.equal(updates, 3, 'nothing is trained after the failure');
  assert.equal(tf.memory().numTensors, tensorsBefore);
  learner.net.dispose();
});
