/**
 * The README's Redis 7 ACL example (issue 21 item 1), run as written against a private
 * redis-server: a trainer and an agent log in as the two users and train CartPole, and the agent
 * user cannot write what steers the run (`init`, `params`, the lock) nor delete the work stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { A3C } from '../src/algo/a3c.js';
import type { HostAgentOptions } from '../src/algo/agent/redis-agent-thread.js';
import { RedisAgentPool } from '../src/parallel/redis-agent-pool.js';
import { runKeys } from '../src/parallel/redis-protocol.js';
import { parseRedisUrl } from '../src/parallel/redis-url.js';
import { redisSkipReason, startRedis } from './support/redis-server.js';

const skip = redisSkipReason() ?? undefined;
const README = new URL('../../README.md', import.meta.url);
const RUN = 'acl-run';
const [TRAINER_PASSWORD, AGENT_PASSWORD] = ['trainer-pw', 'agent-pw'];

/** The README's `ACL SETUSER` lines for run RUN, split as redis-cli splits them (double quotes group). */
function readmeAclCommands(): string[][] {
  const lines = readFileSync(README, 'utf8').split('\n').filter((l) => l.startsWith('ACL SETUSER '));
  assert.equal(lines.length, 2, 'the README has the trainer and the agent user');
  return lines.map((line) =>
    (line.replaceAll('cartpole-1', RUN).replace('TRAINER_PASSWORD', TRAINER_PASSWORD).replace('AGENT_PASSWORD', AGENT_PASSWORD).match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"(.*)"$/, '$1')),
  );
}

test("the README's ACL: trainer and agent users train CartPole; the agent user cannot SET init, params or the lock, nor delete the work stream", { skip, timeout: 180_000 }, async () => {
  const redis = await startRedis('admin-pw');
  const admin = new Redis(redis.url);
  const url = (user: string, password: string) => `redis://${user}:${password}@127.0.0.1:${redis.port}/0`;
  try {
    for (const [, ...args] of readmeAclCommands()) await admin.call('ACL', ...args);
    let updates = 0;
    const a3c = new A3C({ env: 'CartPole-v1', mode: 'grad', transport: url('a3c-trainer', TRAINER_PASSWORD), run: RUN, workers: 0, envsPerWorker: 4, maxSteps: 8000, callbacks: { onUpdate: () => updates++ } });
    const learning = a3c.learn();
    const agentOptions: HostAgentOptions = { envModule: null };
    const agentLogs: string[] = [];
    const pool = new RedisAgentPool({ target: parseRedisUrl(url('a3c-agent', AGENT_PASSWORD)), run: RUN, agents: 1, agentModule: new URL('../src/algo/agent/redis-agent-thread.js', import.meta.url), agentOptions, secret: null, onLog: (l) => agentLogs.push(l) });
    await pool.start();
    const result = await learning;
    assert.ok(updates > 10, `${updates} updates from the agent user's agent:\n${agentLogs.join('\n')}`);
    assert.equal(await pool.done, true, 'the agent left when the run ended');
    assert.ok(result.steps > 1000);

    const agent = new Redis(url('a3c-agent', AGENT_PASSWORD));
    try {
      const keys = runKeys(RUN);
      for (const key of [keys.init, keys.params, keys.trainer, keys.version]) {
        await assert.rejects(agent.set(key, 'forged'), /^ReplyError: NOPERM/, `SET ${key}`);
      }
      await assert.rejects(agent.del(keys.work), /NOPERM/);
      await assert.rejects(agent.xdel(keys.work, '0-1'), /NOPERM/);
      await assert.rejects(agent.publish(keys.events, 'stop forged'), /NOPERM/);
      await assert.rejects(agent.set('a3c:other-run:init', 'forged'), /NOPERM/, "another run's keys");
      assert.match(await agent.xadd(keys.work, '*', 'm', 'x') ?? '', /^\d+-\d+$/, 'agents can add to the work stream');
    } finally {
      agent.disconnect();
    }
  } finally {
    admin.disconnect();
    await redis.kill();
  }
});
