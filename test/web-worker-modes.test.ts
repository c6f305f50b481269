/**
 * The modes over the Web Worker transport, as the browser page runs them, but on worker_threads
 * (test/support/node-agent-worker.ts): the same training as over threads, with parameters shared
 * (a cross-origin isolated page) and posted (one that is not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A3C } from '../src/algo/a3c.js';
import type { ModeName } from '../src/algo/config/config.js';
import { nodeWorkerHost } from './support/node-agent-worker.js';

const AGENT = new URL('./support/web-worker-agent.js', import.meta.url);
/** The bar and budget of train-cartpole.test.ts, which runs the same modes over threads. */
const REWARD_BOUND = 195;
const STEP_BUDGET = 400_000;

const RUNS: { mode: ModeName; workers: number; sharedMemory: boolean }[] = [
  { mode: 'data', workers: 2, sharedMemory: true },
  { mode: 'data', workers: 1, sharedMemory: false },
  { mode: 'grad', workers: 2, sharedMemory: false },
  { mode: 'hogwild', workers: 2, sharedMemory: true },
];

for (const { mode, workers, sharedMemory } of RUNS) {
  test(`${mode} over ${workers} web worker(s) with ${sharedMemory ? 'shared' : 'posted'} parameters reaches a mean reward of ${REWARD_BOUND} on CartPole-v1`, async () => {
    const logs: string[] = [];
    const a3c = new A3C({ env: 'CartPole-v1', mode, workers, seed: 1, stopReward: REWARD_BOUND, maxSteps: STEP_BUDGET, agentWorkers: nodeWorkerHost(AGENT, sharedMemory), callbacks: { onLog: (l) => logs.push(l) } });
    const result = await a3c.learn();
    assert.equal(result.stopReason, 'solved', `stopped by ${result.stopReason} at ${result.steps} steps, reward_100 ${result.meanReward}`);
    assert.ok(result.meanReward! >= REWARD_BOUND);
    assert.ok(logs.some((l) => l.startsWith(`agents: ${workers} web workers (${sharedMemory ? 'shared' : 'posted'} parameters)`)), logs.join('\n'));
  });
}

test('hogwild needs shared memory: over web workers that share none, the run fails before it starts, saying why', async () => {
  const a3c = new A3C({ mode: 'hogwild', workers: 1, agentWorkers: nodeWorkerHost(AGENT, false) });
  await assert.rejects(a3c.learn(), /the workers share no memory \(SharedArrayBuffer needs a cross-origin isolated page\)$/);
});

test('pause holds a run over web workers: no env steps are counted until unpause, then it goes on', async () => {
  let paused: number | null = null;
  let resumedAt: number | null = null;
  const a3c = new A3C({
    env: 'CartPole-v1',
    mode: 'data',
    workers: 2,
    maxSteps: 20_000,
    stopReward: 1e9,
    agentWorkers: nodeWorkerHost(AGENT, true),
    callbacks: {
      onEpisodes: (_episodes, stats) => {
        if (paused === null && stats.envSteps > 2_000) {
          assert.equal(a3c.pause(), true);
          paused = stats.envSteps;
          setTimeout(() => {
            resumedAt = stats.envSteps;
            a3c.unpause();
          }, 500);
        }
      },
    },
  });
  const result = await a3c.learn();
  assert.ok(paused !== null && resumedAt !== null);
  assert.equal(resumedAt, paused, 'no env steps are counted while paused');
  assert.equal(result.stopReason, 'max-steps');
});
