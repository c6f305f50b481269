import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { RedisEchoBody, RedisEchoInit } from '../../test/support/redis-echo-agent.js';
import { redisSkipReason, startRedis, type TestRedis } from '../../test/support/redis-server.js';
import { RedisAgentPool } from './redis-agent-pool.js';
import { runKeys } from './redis-protocol.js';
import { parseRedisUrl } from './redis-url.js';
import { RedisTrainerTransport, STOPPED_RUN_TTL_MS } from './redis-trainer.js';
import type { Envelope, TransportHandlers } from './transport.js';

const ECHO_AGENT = new URL('../../test/support/redis-echo-agent.js', import.meta.url);
const PASSWORD = 'test-password';
const RUN = 'echo';
const skip = redisSkipReason() ?? undefined;

function recording() {
  const messages: Envelope[] = [];
  const logs: string[] = [];
  const failures: Error[] = [];
  const dropped: { kind: string; detail: string }[] = [];
  const handlers: TransportHandlers = {
    onMessage: (e) => messages.push(e),
    onLog: (l) => logs.push(l),
    onFailure: (e) => failures.push(e),
    onDropped: (kind, detail) => dropped.push({ kind, detail }),
  };
  return { handlers, messages, logs, failures, dropped };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function echoTrainerOptions(redis: TestRedis) {
  const agentInit: RedisEchoInit = { numParams: 3, tag: 'A' };
  return { target: parseRedisUrl(redis.url), run: RUN, agentInit, numParams: 3, wireDtype: 'float32' as const, lossyValues: 3, maxQueuedPerAgent: 1, maxMessageBytes: 4096, localAgents: 1, agentModule: ECHO_AGENT, localAgentOptions: null, secret: null };
}

const bodyOf = (m: Envelope) => m.body as RedisEchoBody;

test('agents joining through Redis get each version and send in order; late joins, junk and a lost heartbeat are handled', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  const raw = new Redis(redis.url);
  try {
    const trainer = new RedisTrainerTransport(echoTrainerOptions(redis));
    const { handlers, messages, logs, failures, dropped } = recording();
    trainer.publish(Float32Array.of(1, 1, 1));
    assert.deepEqual(await trainer.start(handlers), ['echo A'], 'local agents are built before start() resolves');
    await until(() => messages.length >= 3, 'messages from the local agent');
    assert.equal(trainer.publish(Float32Array.of(2, 2, 2)), 2);
    await until(() => messages.some((m) => m.paramsVersion === 2), 'a message computed with version 2');

    // Another host's agents join late.
    const remoteLogs: string[] = [];
    const remote = new RedisAgentPool({ target: parseRedisUrl(redis.url), run: RUN, agents: 1, agentModule: ECHO_AGENT, agentOptions: null, secret: null, onLog: (l) => remoteLogs.push(l) });
    assert.deepEqual(await remote.start(), ['echo A']);
    await until(() => messages.some((m) => m.agentId === 1), 'a message from the late agent');
    await until(() => logs.some((l) => /^agent 1 joined \(.+ pid \d+ thread \d+\)$/.test(l)) && trainer.agents === 2, 'the trainer to see agent 1');

    // Foreign entries in the stream are rejected and counted; the trainer goes on.
    const work = runKeys(RUN).work;
    await raw.xadd(work, '*', 'm', Buffer.concat([Buffer.alloc(32), Buffer.from('junk')]));
    await raw.xadd(work, '*', 'other', 'field');
    await until(() => dropped.length === 2, 'two rejections');
    assert.deepEqual(dropped.map((d) => d.kind), ['rejected', 'rejected']);
    assert.match(dropped[0].detail, /^message \d+-\d+: not MessagePack/);
    assert.match(dropped[1].detail, /^message \d+-\d+: not an a3c message \(expected one field "m"\)$/);
    const before = messages.length;
    await until(() => messages.length > before + 3, 'messages after the rejections');

    // A local agent dies without a word: its heartbeat expires, a replacement joins.
    assert.equal(await trainer.kill(0), true);
    await until(() => logs.some((l) => l.startsWith('agent 0 crashed (exited with code 1); starting a replacement')), 'the replacement');
    await until(() => logs.some((l) => /^agent 0 lost: no heartbeat for 5 s/.test(l)), 'agent 0 reported lost', 20_000);
    await until(() => logs.some((l) => l.startsWith('agent 2 joined')) && messages.some((m) => m.agentId === 2), 'the replacement, agent 2, sending');

    await trainer.stop();
    assert.equal(await remote.done, true, 'the remote agents leave when the run ends');
    assert.ok(remoteLogs.every((l) => !/crash/.test(l)), remoteLogs.join('\n'));
    for (const m of messages) assert.deepEqual([...bodyOf(m).params], [m.paramsVersion, m.paramsVersion, m.paramsVersion], 'the parameters of the version it names');
    for (const agentId of [0, 1, 2]) {
      const sent = messages.filter((m) => m.agentId === agentId).map((m) => bodyOf(m).sent);
      assert.deepEqual(sent, sent.map((_, i) => i), `agent ${agentId}'s messages arrive in order, none lost`);
    }
    assert.deepEqual(await raw.smembers(runKeys(RUN).agents), [], 'agents deregister when they leave');
    assert.equal(await raw.get(runKeys(RUN).trainer), null, 'the trainer releases its lock');
    const { init, params, version, stopped, nextAgent } = runKeys(RUN);
    for (const key of [init, params, version, stopped, work, nextAgent]) {
      const ttl = await raw.pttl(key);
      assert.ok(ttl > STOPPED_RUN_TTL_MS - 60_000 && ttl <= STOPPED_RUN_TTL_MS, `${key} expires after the stopped run (PTTL ${ttl} ms)`);
    }
    assert.deepEqual(failures, []);
  } finally {
    raw.disconnect();
    await redis.kill();
  }
});

test('an agent host fetches each version once for all its threads, which read it from shared memory', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  const raw = new Redis(redis.url);
  const monitor = await raw.monitor();
  try {
    const paramsKey = runKeys(RUN).params;
    let fetches = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0].toLowerCase() === 'get' && args[1] === paramsKey) fetches++;
    });
    const trainer = new RedisTrainerTransport({ ...echoTrainerOptions(redis), localAgents: 0 });
    const { handlers, messages, failures } = recording();
    trainer.publish(Float32Array.of(1, 1, 1));
    await trainer.start(handlers);
    const threads = 4;
    const host = new RedisAgentPool({ target: parseRedisUrl(redis.url), run: RUN, agents: threads, agentModule: ECHO_AGENT, agentOptions: null, secret: null, onLog: () => {} });
    assert.deepEqual(await host.start(), Array(threads).fill('echo A'));
    const versions = 5;
    for (let version = 1; version <= versions; version++) {
      if (version > 1) trainer.publish(Float32Array.of(version, version, version));
      await until(() => new Set(messages.filter((m) => m.paramsVersion === version).map((m) => m.agentId)).size === threads, `every thread acting with version ${version}`);
    }
    await trainer.stop();
    assert.equal(await host.done, true);
    for (const m of messages) assert.deepEqual([...bodyOf(m).params], [m.paramsVersion, m.paramsVersion, m.paramsVersion], 'the parameters of the version it names');
    assert.equal(fetches, versions, `${threads} threads, ${versions} versions: one GET of the parameters per version`);
    assert.deepEqual(failures, []);
  } finally {
    monitor.disconnect();
    raw.disconnect();
    await redis.kill();
  }
});

test('a wrong or missing password is refused with one line, by agents and trainers alike', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  try {
    const wrong = parseRedisUrl(redis.url.replace(PASSWORD, 'not-it'));
    const pool = new RedisAgentPool({ target: wrong, run: RUN, agents: 1, agentModule: ECHO_AGENT, agentOptions: null, secret: null, onLog: () => {} });
    await assert.rejects(pool.start(), {
      name: 'RedisTransportError',
      message: `Redis at redis://127.0.0.1:${redis.port}/0 refused the login (WRONGPASS invalid username-password pair or user is disabled): check the password in the URL or A3C_REDIS_PASSWORD`,
    });
    const none = new RedisTrainerTransport({ ...echoTrainerOptions(redis), target: parseRedisUrl(`redis://127.0.0.1:${redis.port}/0`) });
    await assert.rejects(none.start(recording().handlers), /^RedisTransportError: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 refused the login \(NOAUTH/);
    await none.stop();
  } finally {
    await redis.kill();
  }
});

test('a Redis restart is survived: trainer and agents reconnect, the run state is written again, messages flow, and a new agent gets an id no live agent holds', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  try {
    const trainer = new RedisTrainerTransport(echoTrainerOptions(redis));
    const { handlers, messages, logs, failures } = recording();
    trainer.publish(Float32Array.of(1, 1, 1));
    await trainer.start(handlers);
    await until(() => messages.length >= 3, 'messages before the restart');
    await redis.restart();
    await until(() => logs.some((l) => l.startsWith(`Redis at redis://127.0.0.1:${redis.port}/0 is back`)), 'the trainer to reconnect');
    trainer.publish(Float32Array.of(2, 2, 2));
    await until(() => messages.some((m) => m.paramsVersion === 2), 'a message computed with the version published after the restart');
    assert.ok(logs.some((l) => /^agent 0: Redis at .* is back; rejoining run echo$/.test(l)), logs.join('\n'));

    // The restart emptied the id counter; a new agent still gets an id no live agent holds.
    const raw = new Redis(redis.url);
    let beating = false;
    await until(() => (void raw.exists(runKeys(RUN).heartbeat(0)).then((n) => (beating = n === 1)), beating), "agent 0's heartbeat after the restart");
    await raw.del(runKeys(RUN).nextAgent);
    raw.disconnect();
    const late = new RedisAgentPool({ target: parseRedisUrl(redis.url), run: RUN, agents: 1, agentModule: ECHO_AGENT, agentOptions: null, secret: null, onLog: () => {} });
    await late.start();
    await until(() => messages.some((m) => m.agentId === 1), 'a message from the agent that joined after the restart');
    await trainer.stop();
    await late.leave();
    assert.deepEqual(failures, []);
  } finally {
    await redis.kill();
  }
});

test('a second live trainer on a run is refused; once the first stops, the next one takes the run at once', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  try {
    const options = { ...echoTrainerOptions(redis), localAgents: 0 };
    const first = new RedisTrainerTransport(options);
    await first.start(recording().handlers);
    const second = new RedisTrainerTransport(options);
    const { handlers, logs } = recording();
    await assert.rejects(second.start(handlers), {
      name: 'RedisTransportError',
      message: new RegExp(`^run echo at redis://127\\.0\\.0\\.1:${redis.port}/0 already has a live trainer \\(\\S+ ${process.pid}\\); stop it, or choose another --run$`),
    });
    assert.match(logs[0], /^run echo has a trainer lock \(\S+ \d+\); waiting up to 7 s for it to expire$/);
    await second.stop();
    await first.stop();
    const raw = new Redis(redis.url);
    assert.ok((await raw.pttl(runKeys(RUN).init)) > 0, 'the stopped run expires');
    const third = new RedisTrainerTransport(options);
    assert.deepEqual(await third.start(recording().handlers), []);
    assert.equal(await raw.pttl(runKeys(RUN).init), -1, 'a trainer that takes the run again clears the expiry');
    assert.equal(await raw.exists(runKeys(RUN).stopped), 0);
    raw.disconnect();
    await third.stop();
  } finally {
    await redis.kill();
  }
});

test("a trainer whose lock another took cannot write the run's init or parameters: its write is refused and it stops with one line", { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  const raw = new Redis(redis.url);
  try {
    const keys = runKeys(RUN);
    const stale = new RedisTrainerTransport({ ...echoTrainerOptions(redis), localAgents: 0 });
    const { handlers, failures } = recording();
    stale.publish(Float32Array.of(1, 1, 1));
    await stale.start(handlers);
    let first: string | null = null;
    await until(() => (void raw.get(keys.version).then((v) => (first = v)), first === `${stale.session} 1`), 'the first version written');
    // Its successor took the run (the stale one's lock had expired while it stalled) and wrote its own state.
    const successor = 'f'.repeat(32);
    await raw.multi().set(keys.trainer, `${successor} other-host 1`, 'PX', 60_000).set(keys.params, 'successor params').set(keys.version, `${successor} 7`).set(keys.init, 'successor init').exec();
    stale.publish(Float32Array.of(2, 2, 2));
    await until(() => failures.length > 0, "the stale trainer's failure");
    await stale.stop();
    assert.deepEqual(failures.map((f) => f.message), [`another trainer took run ${RUN}'s lock; this one stops`]);
    assert.equal(await raw.get(keys.params), 'successor params', 'the parameters write was refused');
    assert.equal(await raw.get(keys.version), `${successor} 7`);
    assert.equal(await raw.get(keys.init), 'successor init');
    assert.equal(await raw.pttl(keys.init), -1, "the stale trainer's stop does not make its successor's keys expire");
    assert.equal(await raw.exists(keys.stopped), 0, 'nor mark the run ended');

  } finally {
    raw.disconnect();
    await redis.kill();
  }
});

test('entries over the size limit are deleted in Redis unread, counted, and never buffered by the trainer: its memory stays flat', { skip }, async () => {
  const redis = await startRedis(PASSWORD);
  const raw = new Redis(redis.url);
  try {
    const trainer = new RedisTrainerTransport(echoTrainerOptions(redis));
    const { handlers, messages, failures, dropped } = recording();
    trainer.publish(Float32Array.of(1, 1, 1));
    await trainer.start(handlers);
    await until(() => messages.length >= 3, 'messages before the oversized entries');
    const memory = () => {
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const before = memory();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 2);
    // Built inside Redis, so that this process never holds them either.
    const entryBytes = 30 << 20;
    const oversized = 5;
    for (let i = 0; i < oversized; i++) {
      await raw.eval("return redis.call('XADD', KEYS[1], '*', 'm', string.rep('x', tonumber(ARGV[1])))", 1, runKeys(RUN).work, entryBytes);
    }
    await until(() => dropped.length === oversized, 'the oversized entries dropped');
    const sent = messages.length;
    await until(() => messages.length > sent + 3, 'messages after the oversized entries');
    clearInterval(sampler);
    await trainer.stop();

    for (const d of dropped) {
      assert.equal(d.kind, 'rejected');
      assert.match(d.detail, new RegExp(`^message \\d+-\\d+: ${entryBytes + 1} bytes, more than the 4096 allowed \\(deleted unread\\)$`));
    }
    assert.ok(peak - before < entryBytes / 2, `the trainer's heap and buffers grew by ${((peak - before) / 2 ** 20).toFixed(1)} MiB while ${oversized} entries of ${entryBytes >> 20} MiB went by`);
    const left = await raw.xrangeBuffer(runKeys(RUN).work, '-', '+');
    assert.ok(left.every(([, fields]) => fields[1].length < 4096), 'no oversized entry is left in the stream');
    assert.deepEqual(failures, []);
  } finally {
    raw.disconnect();
    await redis.kill();
  }
});
