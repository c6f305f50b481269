import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../nn/kernels/backend.js';
import { createNet, type MlpSpec, type NetSpec } from '../../nn/networks.js';
import { InProcessTransport } from '../../parallel/in-process-transport.js';
import type { SharedMemory, TrainerTransport, TransportHandlers } from '../../parallel/transport.js';
import { createAgent } from '../agent/agent.js';
import { MODES, type TrainConfig } from '../config/config.js';
import { resolveConfig } from './resolve-config.js';
import { Learner } from '../update/learner.js';
import { modeNamed } from '../modes/index.js';
import { Normalizer } from '../agent/normalization.js';
import { runTraining } from './runner.js';
import { RunStats } from './run-stats.js';
import type { TrainCallbacks, TrainingContext } from './training-context.js';

const STEPS = 12_000;

/** The context of a run these tests drive: no reward bound, never interrupted. */
function contextOf(config: TrainConfig, netSpec: NetSpec, learner: Learner, stats: RunStats, callbacks: TrainCallbacks, normalizer?: Normalizer): TrainingContext {
  return { config, netSpec, learner, normalizer, stats, stopReward: null, interrupted: () => false, callbacks };
}

/**
 * `config`'s mode with both halves on the in-process transport (the agent's tensors live in this
 * thread's engine too), wired as A3C.learn wires them; `run` trains under a context of `learner`.
 */
function inProcess(config: TrainConfig, netSpec: MlpSpec, envStepsAtStart = 0) {
  const mode = modeNamed(config.mode);
  const transport = new InProcessTransport((link) => createAgent({ config, netSpec, seed: 1, numEnvs: config.envsPerWorker, envStepsAtStart }, link, 'test'));
  const net = createNet(netSpec, 0);
  const learner = new Learner(net, config, mode.optimizer?.(net.numParams, config, (n, length) => transport.shareArray(n, length)));
  const shared = mode.lockFree ? transport.sharedMemory() : null;
  const trainer = mode.trainer(learner, { config, obsShape: [netSpec.obsSize], shared, envStepsAtStart });
  const run = (ctx: TrainingContext) => runTraining(ctx, { transport, trainer, agentsLabel: 'test', envsPerAgent: config.envsPerWorker, shared });
  return { transport, learner, run };
}

// Every mode's halves on the in-process transport, so that the agent's tensors live in this
// thread's engine too (hogwild's agent writes into the published parameters there, by reference).
for (const name of MODES) {
  test(`${name}: tf.memory().numTensors stays flat over many updates; the runner counts steps, episodes and updates once`, async () => {
    await initBackend({});
    const config = resolveConfig({ env: 'CartPole-v1', mode: name, workers: 1, envsPerWorker: 4, microBatch: 8, batchSize: 16, gradBatch: 8, trainBatch: 2, maxSteps: STEPS, stopReward: null });
    const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: config.hidden };
    const { transport, learner, run } = inProcess(config, netSpec);
    const tensorsBefore = tf.memory().numTensors;
    const tensorsAtUpdate: number[] = [];
    const stats = new RunStats();
    let episodes = 0;
    let samples = 0;
    const reason = await run(
      contextOf(config, netSpec, learner, stats, {
        onUpdate: (update) => {
          tensorsAtUpdate.push(tf.memory().numTensors);
          samples += update.samples;
        },
        onEpisodes: (finished) => (episodes += finished.length),
      }),
    );

    assert.equal(reason, 'max-steps');
    assert.ok(stats.envSteps >= STEPS && stats.envSteps < STEPS + 100, `${stats.envSteps} env steps`);
    assert.ok(tensorsAtUpdate.length > 100, `${tensorsAtUpdate.length} updates`);
    assert.deepEqual(new Set(tensorsAtUpdate), new Set([tensorsAtUpdate[0]]), 'the same number of tensors after every update');
    assert.equal(tf.memory().numTensors, tensorsBefore, "the agent's network is disposed when the run ends");
    assert.equal(stats.updates, tensorsAtUpdate.length);
    assert.equal(stats.trainedSamples, samples);
    const perUpdate = name === 'hogwild' ? config.gradBatch : 16;
    assert.equal(samples, stats.updates * perUpdate, `${perUpdate} transitions behind every update`);
    assert.equal(stats.episodes, episodes);
    assert.ok(episodes > 50);
    assert.deepEqual(stats.stalenessRecent, { mean: 0, max: 0 }, 'an in-process agent always acts with the newest parameters');
    assert.equal(transport.version, stats.updates + 1, 'one published version per update, after the initial one');
    learner.net.dispose();
  });
}

// The same with a Gaussian head and normalisation: Pendulum-v1's Box actions, the trainer merging
// every report's observation and return moments and publishing them after the parameters.
for (const name of MODES) {
  test(`${name}, Pendulum-v1 (Gaussian, normalised): tf.memory().numTensors stays flat; the trainer's statistics count every observation`, async () => {
    await initBackend({});
    const config = resolveConfig({ env: 'Pendulum-v1', mode: name, workers: 1, envsPerWorker: 4, microBatch: 8, batchSize: 16, gradBatch: 8, trainBatch: 2, maxSteps: 4_000, stopReward: null });
    const netSpec = { kind: 'mlp' as const, obsSize: 3, numActions: 1, hidden: config.hidden, gaussian: { std: config.policyStd, logStdInit: config.logStdInit } };
    const { transport, learner, run } = inProcess(config, netSpec);
    const normalizer = new Normalizer(3);
    const tensorsBefore = tf.memory().numTensors;
    const tensorsAtUpdate: number[] = [];
    const stats = new RunStats();
    const reason = await run(contextOf(config, netSpec, learner, stats, { onUpdate: () => tensorsAtUpdate.push(tf.memory().numTensors) }, normalizer));

    assert.equal(reason, 'max-steps');
    assert.ok(tensorsAtUpdate.length > 20, `${tensorsAtUpdate.length} updates`);
    assert.deepEqual(new Set(tensorsAtUpdate), new Set([tensorsAtUpdate[0]]), 'the same number of tensors after every update');
    assert.equal(tf.memory().numTensors, tensorsBefore, "the agent's network is disposed when the run ends");
    assert.equal(stats.rejected, 0);
    // SB3's 1e-4 prior, the 4 first observations, then 4 per env step.
    assert.ok(Math.abs(normalizer.obs.count - (1e-4 + 4 + stats.envSteps)) < 1e-6, `${normalizer.obs.count} observations for ${stats.envSteps} steps`);
    assert.ok(Math.abs(normalizer.ret.count - (1e-4 + stats.envSteps)) < 1e-6);
    assert.ok(normalizer.ret.var[0] > 0);
    // What agents read last: the parameters, then the merged statistics (2 x 3 observation moments, the return variance).
    const published = transport.sharedMemory().params;
    assert.equal(published.length, learner.params.length + 7);
    assert.deepEqual(published.subarray(learner.params.length), normalizer.appendTo(learner.params).subarray(learner.params.length));
    learner.net.dispose();
  });
}

test("data mode under a linear schedule: every update's lr is lr * (1 - k / maxSteps) at the run's env step k, a resumed run's earlier steps counted", async () => {
  await initBackend({});
  const resumedAt = 1_000;
  const config = resolveConfig({ env: 'CartPole-v1', mode: 'data', workers: 1, envsPerWorker: 4, microBatch: 8, batchSize: 16, lrSchedule: 'linear', maxSteps: 3_000, stopReward: null });
  const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: config.hidden };
  const { learner, run } = inProcess(config, netSpec, resumedAt);
  const stats = new RunStats();
  stats.restore({ envSteps: resumedAt, updates: 0, trainedSamples: 0, episodes: 0, recentRewards: [] });
  const seen: { lr: number; envSteps: number }[] = [];
  await run(contextOf(config, netSpec, learner, stats, { onUpdate: (update, { envSteps }) => seen.push({ lr: update.lr, envSteps }) }));
  assert.ok(seen.length > 50, `${seen.length} updates`);
  for (const { lr, envSteps } of seen) assert.equal(lr, config.lr * (1 - envSteps / config.maxSteps!), `at ${envSteps} env steps`);
  assert.ok(seen[0].envSteps > resumedAt && seen[0].lr < config.lr * (1 - resumedAt / config.maxSteps!), 'the schedule goes on from the restored count');
  assert.ok(seen.at(-1)!.lr < 0.01 * config.lr);
  learner.net.dispose();
});

test('a failing update ends the run with its error after the agent has stopped', async () => {
  await initBackend({});
  const config = resolveConfig({ env: 'CartPole-v1', mode: 'a2c', workers: 1, envsPerWorker: 2, batchSize: 8, maxSteps: 10_000 });
  const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: config.hidden };
  const learner = new Learner(createNet(netSpec, 0), config);
  const tensorsBefore = tf.memory().numTensors;
  let updates = 0;
  const ctx = contextOf(config, netSpec, learner, new RunStats(), {});
  const trainer = {
    rolloutSize: config.batchSize,
    check: () => null,
    receive: () => {
      if (++updates === 3) throw new Error('update 3: non-finite loss');
      return null;
    },
  };
  const transport = new InProcessTransport((link) => createAgent({ config, netSpec, seed: 1, numEnvs: 2, envStepsAtStart: 0 }, link, 'test'));
  await assert.rejects(runTraining(ctx, { transport, trainer, agentsLabel: 'test', envsPerAgent: 2 }), /^Error: update 3: non-finite loss$/);
  assert.equal(updates, 3, 'nothing is trained after the failure');
  assert.equal(tf.memory().numTensors, tensorsBefore);
  learner.net.dispose();
});


/** A transport whose agents are `script`, run once training starts; publishing bumps `counter.version`. */
function scriptedTransport(agents: number, counter: { version: number }, script: (handlers: TransportHandlers) => void): TrainerTransport {
  return {
    agents,
    get version() {
      return counter.version;
    },
    publish: () => ++counter.version,
    kill: async () => false,
    stop: async () => {},
    async start(handlers) {
      setImmediate(() => script(handlers));
      return ['scripted'];
    },
  };
}
test('malformed work is rejected and work staler than maxStaleness dropped, both counted; their env steps and episodes count when well-formed', async () => {
  await initBackend({});
  const config = resolveConfig({ env: 'CartPole-v1', mode: 'grad', nSteps: 4, gradBatch: 4, trainBatch: 1, maxStaleness: 1, maxSteps: 40, stopReward: null });
  const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: [8] };
  const learner = new Learner(createNet(netSpec, 0), config);
  const numParams = learner.params.length;
  const stats = new RunStats();
  const logs: string[] = [];
  const ctx = contextOf(config, netSpec, learner, stats, { onLog: (l) => logs.push(l) });
  const lossStats = { total: 0, policy: 0, value: 0, entropy: 0, advantageMean: 0, valueMean: 0 };
  const gradient = (length = numParams) => ({ grads: new Float32Array(length), stats: lossStats, samples: 4 });
  const report = (work: unknown, episodes = 0) => ({ episodes: Array.from({ length: episodes }, () => ({ reward: 10, length: 10 })), logs: [], work });
  const transport = scriptedTransport(1, { version: 0 }, (handlers) => {
    handlers.onMessage({ agentId: 0, paramsVersion: 1, envSteps: 10, body: report(gradient()) });
    handlers.onMessage({ agentId: 0, paramsVersion: 0, envSteps: 10, body: report(gradient(), 2) });
    handlers.onMessage({ agentId: 5, paramsVersion: 2, envSteps: 10, body: report(gradient(3)) });
    handlers.onMessage({ agentId: 5, paramsVersion: 2, envSteps: 10, body: 'not a report' });
    handlers.onDropped('rejected', 'message 1-0: not MessagePack', null);
    handlers.onDropped('stale', "message 2-0 from agent 1: computed with a previous trainer's parameters", 1);
    handlers.onMessage({ agentId: 0, paramsVersion: 2, envSteps: 20, body: report(gradient()) });
  });
  const trainer = modeNamed('grad').trainer(learner, { config, obsShape: [4], shared: null, envStepsAtStart: 0 });
  const reason = await runTraining(ctx, { transport, trainer, agentsLabel: 'scripted', envsPerAgent: 1 });
  assert.equal(reason, 'max-steps');
  assert.equal(stats.updates, 2, 'the two fresh, well-formed gradients are applied');
  assert.equal(stats.droppedStale, 2, 'one too stale for maxStaleness 1, one from a previous trainer');
  assert.equal(stats.rejected, 3);
  assert.deepEqual([...stats.rejectedByAgent], [[5, 2], [null, 1]]);
  assert.equal(stats.envSteps, 40, 'rejected messages add no env steps');
  assert.equal(stats.episodes, 2, "a stale message's episodes still count");
  assert.deepEqual(logs.filter((l) => l.startsWith('rejected')), [
    `rejected a message from agent 5: gradient: grads is a Float32Array of 3, expected a Float32Array of ${numParams} (the net's parameters); later rejections of agent 5 are counted, not logged`,
    'rejected message 1-0: not MessagePack',
    'rejected 3 agent messages in all: 2 from agent 5, 1 naming no agent',
  ]);
  learner.net.dispose();
});

test('no message can end or steer a run: NaN or huge gradients, infinite loss terms and rewards, 1e15 env steps, unpublished versions are rejected and counted per agent', async () => {
  await initBackend({});
  const config = resolveConfig({ env: 'CartPole-v1', mode: 'grad', nSteps: 4, gradBatch: 4, trainBatch: 1, maxSteps: 1000, stopReward: null });
  const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: [8] };
  const learner = new Learner(createNet(netSpec, 0), config);
  const numParams = learner.params.length;
  const stats = new RunStats();
  const logs: string[] = [];
  // A reward bound: 100 episodes of infinite reward would mark the run solved.
  const ctx = { ...contextOf(config, netSpec, learner, stats, { onLog: (l) => logs.push(l) }), stopReward: 100 };
  const lossStats = { total: 0, policy: 0, value: 0, entropy: 0, advantageMean: 0, valueMean: 0 };
  const gradient = (value = 0.01, statsOf = lossStats) => ({ grads: new Float32Array(numParams).fill(value), stats: statsOf, samples: 4 });
  const report = (work: unknown, episodes = 0, reward = 1) => ({ episodes: Array.from({ length: episodes }, () => ({ reward, length: 1 })), logs: [], work });
  const counter = { version: 0 };
  const envsPerAgent = 8;
  const maxEnvSteps = 2 * (config.gradBatch + 2 * config.nSteps * envsPerAgent);
  const transport = scriptedTransport(1, counter, (handlers) => {
    const good = (episodes = 0) => handlers.onMessage({ agentId: 0, paramsVersion: counter.version, envSteps: 100, body: report(gradient(), episodes) });
    good(100);
    handlers.onMessage({ agentId: 1, paramsVersion: 1, envSteps: 10, body: report(gradient(NaN)) });
    handlers.onMessage({ agentId: 1, paramsVersion: 1, envSteps: 10, body: report(gradient(1e35)) });
    handlers.onMessage({ agentId: 2, paramsVersion: 1, envSteps: 10, body: report(gradient(0.01, { ...lossStats, total: Infinity })) });
    handlers.onMessage({ agentId: 3, paramsVersion: 1, envSteps: 100, body: report(gradient(), 100, Infinity) });
    handlers.onMessage({ agentId: 4, paramsVersion: 1, envSteps: 1e15, body: report(gradient()) });
    handlers.onMessage({ agentId: 5, paramsVersion: 1e6, envSteps: 10, body: report(gradient()) });
    handlers.onMessage({ agentId: 6, paramsVersion: 1, envSteps: maxEnvSteps + 1, body: report(gradient()) });
    handlers.onMessage({ agentId: 7, paramsVersion: 1, envSteps: 10, body: report(gradient(), 11) });
    for (let i = 0; i < 9; i++) good();
  });
  const trainer = modeNamed('grad').trainer(learner, { config, obsShape: [4], shared: null, envStepsAtStart: 0 });
  const reason = await runTraining(ctx, { transport, trainer, agentsLabel: 'scripted', envsPerAgent });
  assert.equal(reason, 'max-steps', 'the run ends on its own budget, not on a message');
  assert.equal(stats.envSteps, 1000, 'only the well-formed messages count their env steps');
  assert.equal(stats.updates, 10);
  assert.equal(stats.episodes, 100);
  assert.equal(stats.meanReward100, 1);
  assert.ok(learner.params.every(Number.isFinite));
  assert.equal(stats.rejected, 8);
  assert.deepEqual([...stats.rejectedByAgent], [[1, 2], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1]]);
  const rejections = logs.filter((l) => l.startsWith('rejected'));
  const problems = rejections.slice(0, -1).map((l) => /^rejected a message from agent (\d+): (.*); later rejections of agent \1 are counted, not logged$/.exec(l)?.[2]);
  assert.deepEqual(problems, [
    'gradient: grads[0] is NaN, not a finite number within ±1e+30',
    'gradient: stats must hold finite numbers within ±1e+30: total, policy, value, entropy, advantageMean, valueMean',
    'episode 0 is not {reward: finite number within ±1000000000, length: non-negative integer}',
    `1000000000000000 env steps, more than the ${maxEnvSteps} a rollout of 4 transitions over 8 envs can take`,
    'parameters version 1000000, not one published (the newest is 2)',
    `${maxEnvSteps + 1} env steps, more than the ${maxEnvSteps} a rollout of 4 transitions over 8 envs can take`,
    '11 episodes ended in 10 env steps',
  ], 'one line for each agent: its first rejection');
  assert.equal(rejections.at(-1), 'rejected 8 agent messages in all: 2 from agent 1, 1 from agent 2, 1 from agent 3, 1 from agent 4, 1 from agent 5, 1 from agent 6, 1 from agent 7');
  learner.net.dispose();
});

test('lock-free modes count every update agents applied, from the shared version: also those whose message was dropped, rejected or never read', async () => {
  await initBackend({});
  const config = resolveConfig({ env: 'CartPole-v1', mode: 'hogwild', gradBatch: 4, maxStaleness: 1, maxSteps: 12, stopReward: null });
  const netSpec = { kind: 'mlp' as const, obsSize: 4, numActions: 2, hidden: [8] };
  const learner = new Learner(createNet(netSpec, 0), config);
  const numParams = learner.params.length;
  const stats = new RunStats();
  const lossStats = { total: 0, policy: 0, value: 0, entropy: 0, advantageMean: 0, valueMean: 0 };
  const work = (samples = config.gradBatch) => ({ stats: lossStats, gradNorm: 0, lr: config.lr, samples });
  const report = (body: unknown) => ({ episodes: [], logs: [], work: body });
  const counter = { version: 0 };
  const params = new Float32Array(numParams);
  const shared: SharedMemory = { params, array: () => new Float32Array(0), bumpVersion: () => ++counter.version };
  let applied = 0;
  // What an agent does: it applies its update to the shared parameters, counts it, then sends.
  const apply = () => {
    params[0] = ++applied;
    return shared.bumpVersion();
  };
  const transport = scriptedTransport(2, counter, (handlers) => {
    apply();
    handlers.onMessage({ agentId: 0, paramsVersion: 1, envSteps: 4, body: report(work()) });
    apply();
    handlers.onMessage({ agentId: 1, paramsVersion: 0, envSteps: 4, body: report(work()) }); // 2 versions behind: dropped
    apply();
    handlers.onMessage({ agentId: 1, paramsVersion: 3, envSteps: 4, body: report(work(3)) }); // rejected
    apply(); // its message still queued when the run stops
    const last = apply();
    handlers.onMessage({ agentId: 0, paramsVersion: last - 1, envSteps: 4, body: report(work()) }); // ends the run
    apply(); // an agent blocked in send, its update made
  });
  const trainer = modeNamed('hogwild').trainer(learner, { config, obsShape: [4], shared, envStepsAtStart: 0 });
  const reason = await runTraining(contextOf(config, netSpec, learner, stats, {}), { transport, trainer, agentsLabel: 'scripted', envsPerAgent: 1, shared });
  assert.equal(reason, 'max-steps');
  assert.equal(applied, 6);
  assert.equal(stats.updates, applied, 'every applied update counts, not only the 2 read');
  assert.equal(stats.trainedSamples, applied * config.gradBatch);
  assert.equal(stats.droppedStale, 1);
  assert.equal(stats.rejected, 1);
  assert.equal(learner.params[0], applied, 'the learner ends with the shared parameters, the last update included');
  learner.net.dispose();
});
