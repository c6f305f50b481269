/**
 * A training run over a private redis-server on 127.0.0.1 while crafted entries are written into
 * its `work` stream by hand, in the project's own encoding (redis-protocol.ts), as anyone who can
 * write to the Redis database could: each is rejected and counted for the agent it names, and
 * the run goes on (docs/architecture.md: no remote message can end, stop or steer a run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { A3C } from '../src/algo/a3c.js';
import type { AgentReport } from '../src/algo/agent/agent.js';
import type { ModeName } from '../src/algo/config/config.js';
import type { RunStats } from '../src/algo/training/run-stats.js';
import { decodeRunInfo, encodeEnvelope, parseVersionNote, runKeys } from '../src/parallel/redis-protocol.js';
import { RunSigner } from '../src/parallel/run-secret.js';
import { redisSkipReason, startRedis } from './support/redis-server.js';

const PASSWORD = 'untrusted-test';
const RUN = 'untrusted';
const skip = redisSkipReason() ?? undefined;
/** Far above what CartPole can reach (500): only an accepted infinite reward could mark the run solved. */
const STOP_REWARD = 1e6;
/** Ids no agent is given in these runs. */
const FOREIGN = 1000;

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Well-formed work of `mode` for CartPole-v1 (4 observations, 2 actions), and one way each to spoil it. */
function workOf(mode: ModeName, numParams: number, rows: number) {
  if (mode === 'grad') {
    const stats = { total: 0, policy: 0, value: 0, entropy: 0, advantageMean: 0, valueMean: 0 };
    const good = () => ({ grads: new Float32Array(numParams), stats: { ...stats }, samples: rows });
    const nanGradient = good();
    nanGradient.grads[7] = NaN;
    return { good, bad: { 'a NaN gradient': nanGradient, 'an infinite loss term': { ...good(), stats: { ...stats, total: Infinity } } } };
  }
  const good = () => ({ size: rows, obsSize: 4, obs: new Float32Array(rows * 4), actions: new Int32Array(rows), valueTargets: new Float32Array(rows) });
  const nanObservation = good();
  nanObservation.obs[3] = NaN;
  const hugeTarget = good();
  hugeTarget.valueTargets[0] = 1e30;
  return { good, bad: { 'a NaN observation': nanObservation, 'a value target of 1e30': hugeTarget } };
}

for (const mode of ['grad', 'data'] as const) {
  test(`${mode} mode over Redis: crafted entries (NaN work, infinite reward, 1e15 env steps, an unpublished version) are rejected and counted per agent; the run goes on`, { skip }, async () => {
    const redis = await startRedis(PASSWORD);
    const raw = new Redis(redis.url);
    try {
      let stats: RunStats | null = null;
      let updates = 0;
      const logs: string[] = [];
      const a3c = new A3C({
        env: 'CartPole-v1',
        mode,
        transport: redis.url,
        run: RUN,
        workers: 1,
        envsPerWorker: 4,
        seed: 1,
        stopReward: STOP_REWARD,
        maxSeconds: 120,
        callbacks: {
          onUpdate: (_update, s) => {
            stats = s;
            updates++;
          },
          onLog: (l) => logs.push(l),
        },
      });
      const learning = a3c.learn();
      await until(() => stats !== null && stats.episodes >= 100, '100 episodes, so that a mean reward counts');
      const keys = runKeys(RUN);
      // No run secret in these runs: blobs carry a zero HMAC, which anyone can write.
      const unsigned = new RunSigner(null, RUN);
      const opened = unsigned.open('init', (await raw.getBuffer(keys.init))!);
      assert.ok(opened.ok);
      const info = decodeRunInfo(opened.payload)!;
      const published = parseVersionNote(await raw.get(keys.version))!.version;
      const rows = mode === 'grad' ? a3c.config.gradBatch : a3c.config.microBatch;
      const { good, bad } = workOf(mode, info.numParams, rows);
      const report = (work: unknown, reward = 10): AgentReport => ({ episodes: [{ reward, length: 10 }], logs: [], work, normalization: null });
      const crafted = [
        { what: 'an infinite episode reward', paramsVersion: 1, envSteps: 20, body: report(good(), Infinity) },
        { what: '1e15 env steps', paramsVersion: 1, envSteps: 1e15, body: report(good()) },
        { what: 'a version never published', paramsVersion: published + 1000, envSteps: 20, body: report(good()) },
        ...Object.entries(bad).map(([what, work]) => ({ what, paramsVersion: 1, envSteps: 20, body: report(work) })),
      ];
      const stepsBefore = stats!.envSteps;
      for (const [i, entry] of crafted.entries()) {
        const envelope = { agentId: FOREIGN + i, paramsVersion: entry.paramsVersion, envSteps: entry.envSteps, body: entry.body };
        await raw.xadd(keys.work, '*', 'm', encodeEnvelope(unsigned, RUN, info.session, envelope, 'float32'));
      }
      // One agent rejected twice: counted twice, logged once.
      await raw.xadd(keys.work, '*', 'm', encodeEnvelope(unsigned, RUN, info.session, { agentId: FOREIGN, paramsVersion: 1, envSteps: 1e15, body: report(good()) }, 'float32'));
      await until(() => stats!.rejected === crafted.length + 1, 'every crafted entry rejected');
      const updatesAfter = updates;
      await until(() => updates > updatesAfter + 10, 'updates after the crafted entries');
      a3c.stop();
      const result = await learning;

      assert.equal(result.stopReason, 'interrupted', 'the run ends when asked to, not on a crafted entry');
      assert.equal(result.solved, false);
      assert.ok(result.steps < stepsBefore + 1e6, `${result.steps} env steps`);
      assert.ok(Number.isFinite(result.meanReward!) && result.meanReward! <= 500, `mean reward ${result.meanReward}`);
      assert.deepEqual([...stats!.rejectedByAgent], crafted.map((_, i) => [FOREIGN + i, i === 0 ? 2 : 1]));
      const lines = logs.filter((l) => /^rejected a message from agent \d+/.test(l));
      assert.equal(lines.length, crafted.length, `one line per agent:\n${lines.join('\n')}`);
      assert.match(lines[0], new RegExp(`^rejected a message from agent ${FOREIGN}: episode 0 is not \\{reward: finite number`));
      assert.match(lines[1], /: 1000000000000000 env steps, more than the \d+ a rollout of \d+ transitions over 4 envs can take; later rejections of agent 1001 are counted, not logged$/);
      assert.match(lines[2], new RegExp(`: parameters version ${published + 1000}, not one published`));
      assert.match(lines[3], mode === 'grad' ? /: gradient: grads\[7\] is NaN/ : /: transitions: observation value NaN in row 0/);
      assert.match(lines[4], mode === 'grad' ? /: gradient: stats must hold finite numbers/ : /: transitions: value target 1\.0+\d*e\+30 in row 0 is not a finite number/);
      assert.ok(logs.some((l) => l.startsWith(`rejected ${crafted.length + 1} agent messages in all: 2 from agent ${FOREIGN}, `)), logs.join('\n'));
    } finally {
      raw.disconnect();
      await redis.kill();
    }
  });
}
