/**
 * The trust model over Redis (issue 21 item 1), against a private redis-server on 127.0.0.1:
 * agents import only the env module of their own command line, and with a run secret the init,
 * parameters and end-of-run note that agents take, and the messages the trainer takes, must carry
 * its HMAC. Everything forged here is written by hand, as anyone who can write to the Redis
 * database could.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { A3C } from '../src/algo/a3c.js';
import type { HostAgentOptions } from '../src/algo/agent/redis-agent-thread.js';
import type { RunStats } from '../src/algo/training/run-stats.js';
import { RedisAgentPool } from '../src/parallel/redis-agent-pool.js';
import { encodeEnvelope, encodeParams, newSession, pack, parseVersionNote, runKeys, stopNote } from '../src/parallel/redis-protocol.js';
import { parseRedisUrl } from '../src/parallel/redis-url.js';
import { RunSigner } from '../src/parallel/run-secret.js';
import { redisSkipReason, startRedis } from './support/redis-server.js';

const PASSWORD = 'trust-test';
const SECRET = 'the-run-secret-of-this-test-0123456789';
const skip = redisSkipReason() ?? undefined;
const AGENT_THREAD = new URL('../src/algo/agent/redis-agent-thread.js', import.meta.url);
const NO_ENV_MODULE: HostAgentOptions = { envModule: null };

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('an agent imports only its own --env-module: an init naming another (a data: URL here) is refused with one line, and nothing is imported', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  const raw = new Redis(redis.url);
  const dir = mkdtempSync(join(tmpdir(), 'a3c-trust-'));
  try {
    const run = 'forged-init';
    const keys = runKeys(run);
    const marker = join(dir, 'imported');
    const code = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran');`;
    const envModule = `data:text/javascript,${encodeURIComponent(code)}`;
    // A trainer that never was: its lock, an init naming the data: module, parameters.
    const unsigned = new RunSigner(null, run);
    const session = newSession();
    await raw.set(keys.trainer, `${session} forger 1`, 'PX', 60_000);
    await raw.set(keys.init, unsigned.sign('init', pack({ session, maxQueued: 1, numParams: 4, lossyValues: 4, wireDtype: 'float32', init: { config: { envModule }, seed: 0 } })));
    await raw.set(keys.params, encodeParams(unsigned, session, 1, new Float32Array(4), { numParams: 4, lossyValues: 4, dtype: 'float32' }));
    await raw.set(keys.version, `${session} 1`);

    const pool = new RedisAgentPool({ target: parseRedisUrl(redis.url), run, agents: 1, agentModule: AGENT_THREAD, agentOptions: NO_ENV_MODULE, secret: null, onLog: () => {} });
    await assert.rejects(pool.start(), {
      message: `agent 0 failed: the run's trainer uses env module ${envModule}, and this agent was started with no --env-module; agents import only the module on their own command line: start it with --env-module ${envModule}`,
    });
    await pool.leave();
    assert.equal(existsSync(marker), false, 'the module named in Redis was never imported');
  } finally {
    raw.disconnect();
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a run secret: forged parameters, messages and stop notes are refused and counted, an agent without the secret refuses the init, and the run goes on', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  const raw = new Redis(redis.url);
  const run = 'signed';
  const keys = runKeys(run);
  const logs: string[] = [];
  let stats: RunStats | null = null;
  let updates = 0;
  try {
    const a3c = new A3C({
      env: 'CartPole-v1',
      mode: 'grad',
      transport: redis.url,
      run,
      workers: 1,
      envsPerWorker: 4,
      seed: 2,
      stopReward: 1e6,
      maxSeconds: 120,
      runSecret: SECRET,
      callbacks: {
        onUpdate: (_update, s) => {
          stats = s;
          updates++;
        },
        onLog: (l) => logs.push(l),
      },
    });
    const learning = a3c.learn();
    await until(() => updates > 5, 'a few updates');
    const session = parseVersionNote(await raw.get(keys.version))!.session;
    const unsigned = new RunSigner(null, run);
    const otherSecret = new RunSigner('another-secret-than-the-runs-0123456789', run);

    // A message without the HMAC, and one under another secret: rejected, naming no agent.
    const envelope = { agentId: 0, paramsVersion: 1, envSteps: 20, body: {} };
    await raw.xadd(keys.work, '*', 'm', encodeEnvelope(unsigned, run, session, envelope, 'float32'));
    await raw.xadd(keys.work, '*', 'm', encodeEnvelope(otherSecret, run, session, envelope, 'float32'));
    await until(() => stats!.rejectedByAgent.get(null) === 2, 'both forged messages rejected');
    assert.ok(logs.some((l) => /^rejected message \d+-\d+: it carries no HMAC, and this side has a run secret/.test(l)), logs.join('\n'));

    // Forged parameters, far ahead of the trainer's version: the agent keeps its own and counts them.
    const numParams = ((await raw.getBuffer(keys.params))!.length - 32 - 40) / 4;
    const forged = encodeParams(otherSecret, session, 1e6, new Float32Array(numParams).fill(1e30), { numParams, lossyValues: numParams, dtype: 'float32' });
    for (let i = 0; i < 200 && !logs.some((l) => l.startsWith('agents on this host: refused parameters in Redis')); i++) {
      await raw.multi().set(keys.params, forged).set(keys.version, `${session} 1000000`).publish(keys.events, `params ${session} 1000000`).exec();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(logs.some((l) => /^agents on this host: refused parameters in Redis \(1 so far\): its HMAC does not verify under this run secret .*; keeping version \d+$/.test(l)), logs.join('\n'));

    // A stop note without the HMAC: the agent stays.
    await raw.set(keys.stopped, stopNote(unsigned, session));
    await raw.publish(keys.events, `stop ${stopNote(unsigned, session)}`);
    await until(() => logs.some((l) => l.startsWith('agent 0: ignored a note that run signed ended: it carries no HMAC')), 'the forged stop ignored');
    await raw.del(keys.stopped);

    // An agent started without the secret refuses the trainer's init, and says what to do.
    const agentLogs: string[] = [];
    const outsider = new RedisAgentPool({ target: parseRedisUrl(redis.url), run, agents: 1, agentModule: AGENT_THREAD, agentOptions: NO_ENV_MODULE, secret: null, onLog: (l) => agentLogs.push(l) });
    void outsider.start().catch(() => {});
    await until(() => agentLogs.some((l) => l.includes('refused the init of run signed in Redis: it carries an HMAC of a run secret, and this side has none')), 'the outsider refusing the init');
    await outsider.leave();

    const updatesAfter = updates;
    await until(() => updates > updatesAfter + 10, 'updates after the forgeries');
    a3c.stop();
    const result = await learning;
    assert.equal(result.stopReason, 'interrupted');
    assert.ok(Number.isFinite(result.meanReward!), `mean reward ${result.meanReward}`);
    assert.ok(logs.some((l) => l === 'agent 0 joined' || l.startsWith('agent 0 joined')), logs.join('\n'));
  } finally {
    raw.disconnect();
    await redis.kill();
  }
});
