/**
 * A trainer and agents as separate OS processes (`a3c train --transport`, `a3c agent`) meeting in
 * a private redis-server on 127.0.0.1 with a password: learning in both modes, an agent killed
 * and others joining, a trainer killed and resumed, malformed messages and a wrong password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { decodeRunInfo, pack, runKeys } from '../src/parallel/redis-protocol.js';
import { RunSigner } from '../src/parallel/run-secret.js';
import { CUE_RECALL_ID, EPISODE_STEPS } from './support/cue-recall-env.js';
import { redisSkipReason, startRedis, type TestRedis } from './support/redis-server.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CUE_RECALL_MODULE = fileURLToPath(new URL('./support/cue-recall-env.js', import.meta.url));
const PASSWORD = 'multihost-test';
const skip = redisSkipReason() ?? undefined;
/** Every run ends by itself well before this; it only bounds a broken one. */
const RUN_LIMIT_S = '120';

interface Cli {
  child: ChildProcess;
  lines: string[];
  stdout: string;
  exited: Promise<number | null>;
}

/** Starts `a3c ...args`, the password in A3C_REDIS_PASSWORD (as a user keeps it off command lines). */
function a3c(...args: string[]): Cli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, A3C_REDIS_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] });
  const cli: Cli = { child, lines: [], stdout: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    cli.lines.push(...parts);
  });
  child.stdout!.on('data', (chunk: Buffer) => (cli.stdout += chunk.toString()));
  return cli;
}

async function waitForLine(cli: Cli, pattern: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = cli.lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (cli.child.exitCode !== null || Date.now() > deadline) throw new Error(`no line for ${what} (${pattern}); got:\n${cli.lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function finished(cli: Cli): Promise<{ code: number | null; summary: { solved: boolean; steps: number; mean_reward: number } | null }> {
  const code = await cli.exited;
  const last = cli.stdout.trim().split('\n').at(-1);
  return { code, summary: last ? JSON.parse(last) : null };
}

/** Runs `body` with a fresh password-protected Redis; every process it started is gone afterwards. */
async function withRedis(body: (redis: TestRedis, url: string, started: Cli[]) => Promise<void>): Promise<void> {
  const redis = await startRedis(PASSWORD);
  const started: Cli[] = [];
  try {
    await body(redis, `redis://127.0.0.1:${redis.port}/0`, started);
  } finally {
    for (const cli of started) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await Promise.all(started.map((cli) => cli.exited));
    await redis.kill();
  }
}

test('data mode: a trainer and two agent processes learn CartPole-v1; malformed and foreign messages are rejected and counted', { skip }, async () => {
  await withRedis(async (redis, url, started) => {
    const run = 'data-run';
    const agents = [a3c('agent', '--transport', url, '--run', run), a3c('agent', '--transport', url, '--run', run)];
    // The password inline here, from the environment for the agents: both are supported.
    const trainer = a3c('train', '--transport', `redis://:${PASSWORD}@127.0.0.1:${redis.port}/0`, '--run', run, '--mode', 'data', '--seed', '1', '--stop-reward', '195', '--max-seconds', RUN_LIMIT_S, '--json');
    started.push(...agents, trainer);
    await waitForLine(trainer, /^agent 1 joined/, 'the second agent');

    const raw = new Redis(redis.url);
    try {
      const keys = runKeys(run);
      const session = (await raw.get(keys.trainer))!.slice(0, 32);
      // No run secret in this run: entries carry a zero HMAC (run-secret.ts), which anyone can write.
      const unsigned = new RunSigner(null, run);
      await raw.xadd(keys.work, '*', 'm', unsigned.sign('message', Buffer.from('not an a3c message')));
      await raw.xadd(keys.work, '*', 'm', unsigned.sign('message', pack({ run: 'someone-else', session, agentId: 0, paramsVersion: 1, envSteps: 1, body: {} })));
      const badWork = { size: 32, obsSize: 4, obs: new Float32Array(3), actions: new Int32Array(32), valueTargets: new Float32Array(32) };
      await raw.xadd(keys.work, '*', 'm', unsigned.sign('message', pack({ run, session, agentId: 77, paramsVersion: 1, envSteps: 32, body: { episodes: [], logs: [], work: badWork } })));
    } finally {
      raw.disconnect();
    }

    const { code, summary } = await finished(trainer);
    assert.equal(code, 0, trainer.lines.join('\n'));
    assert.ok(summary?.solved, `solved across processes: ${JSON.stringify(summary)}`);
    const rejected = trainer.lines.filter((l) => l.startsWith('rejected '));
    assert.equal(rejected.length, 4, trainer.lines.join('\n'));
    assert.match(rejected[0], /^rejected message \d+-\d+: not MessagePack/);
    assert.match(rejected[1], /^rejected message \d+-\d+: for run "someone-else", not "data-run"$/);
    assert.equal(
      rejected[2],
      'rejected a message from agent 77: transitions: obs is a Float32Array of 3, expected a Float32Array or Uint8Array of 128; later rejections of agent 77 are counted, not logged',
    );
    assert.equal(rejected[3], 'rejected 3 agent messages in all: 2 naming no agent, 1 from agent 77');
    for (const agent of agents) {
      assert.equal(await agent.exited, 0, agent.lines.join('\n'));
      assert.ok(agent.lines.includes(`run ${run} ended; the agents left`), agent.lines.join('\n'));
    }
  });
});

test('policy lstm over Redis: two agent processes, each given the env module, train an LSTM that remembers a cue (data mode)', { skip }, async () => {
  await withRedis(async (_redis, url, started) => {
    const run = 'lstm-run';
    // Each agent host names its own env module; only its id travels through Redis.
    const agents = [a3c('agent', '--transport', url, '--run', run, '--env-module', CUE_RECALL_MODULE), a3c('agent', '--transport', url, '--run', run, '--env-module', CUE_RECALL_MODULE)];
    const trainer = a3c(
      'train', '--transport', url, '--run', run, '--mode', 'data', '--env', CUE_RECALL_ID, '--env-module', CUE_RECALL_MODULE, '--policy', 'lstm',
      '--envs-per-worker', '8', '--n-steps', String(2 * EPISODE_STEPS), '--hidden', '16', '--lstm-cells', '16', '--lr', '3e-3', '--adam-eps', '1e-5',
      '--max-grad-norm', '0.5', '--seed', '1', '--max-steps', '400000', '--max-seconds', RUN_LIMIT_S, '--json',
    );
    started.push(...agents, trainer);
    const { code, summary } = await finished(trainer);
    assert.equal(code, 0, trainer.lines.join('\n'));
    assert.ok(summary?.solved, `the cue remembered across processes: ${JSON.stringify(summary)}\n${trainer.lines.join('\n')}`);
    assert.ok(!trainer.lines.some((l) => l.startsWith('rejected ')), `every rollout and its initial states arrived whole:\n${trainer.lines.join('\n')}`);
    for (const agent of agents) assert.equal(await agent.exited, 0, agent.lines.join('\n'));
  });
});

test('grad mode: an agent SIGKILLed mid-run is reported lost, two others join, and they learn CartPole-v1', { skip }, async () => {
  await withRedis(async (_redis, url, started) => {
    const run = 'grad-run';
    const trainer = a3c('train', '--transport', url, '--run', run, '--mode', 'grad', '--seed', '2', '--stop-reward', '195', '--max-seconds', RUN_LIMIT_S, '--json');
    const first = a3c('agent', '--transport', url, '--run', run);
    started.push(trainer, first);
    await waitForLine(first, /agent\(s\) of run grad-run .* running/, 'the first agent to run');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Alone, it cannot have learned anything yet: whatever the trainer does next needs the others.
    first.child.kill('SIGKILL');
    await waitForLine(trainer, /^agent 0 lost: no heartbeat for 5 s; what it had not sent is lost, training goes on$/, 'the lost heartbeat', 30_000);
    const others = [a3c('agent', '--transport', url, '--run', run), a3c('agent', '--transport', url, '--run', run)];
    started.push(...others);

    const { code, summary } = await finished(trainer);
    assert.equal(code, 0, trainer.lines.join('\n'));
    assert.ok(summary?.solved, `solved by the agents that joined: ${JSON.stringify(summary)}`);
    assert.ok(trainer.lines.some((l) => l.startsWith('agent 1 joined')) && trainer.lines.some((l) => l.startsWith('agent 2 joined')), trainer.lines.join('\n'));
    for (const agent of others) assert.equal(await agent.exited, 0, agent.lines.join('\n'));
  });
});

for (const mode of ['data', 'grad'] as const) {
  test(`${mode} mode with --wire-dtype float16: parameters (and gradients) cross Redis as halves, two agent threads of one host share them, and they learn CartPole-v1`, { skip }, async () => {
    await withRedis(async (redis, url, started) => {
      const run = `half-${mode}`;
      const agent = a3c('agent', '--transport', url, '--run', run, '--workers', '2');
      const trainer = a3c('train', '--transport', url, '--run', run, '--mode', mode, '--workers', '0', '--wire-dtype', 'float16', '--seed', '3', '--stop-reward', '195', '--max-seconds', RUN_LIMIT_S, '--json');
      started.push(agent, trainer);
      await waitForLine(trainer, /^agent 1 joined/, 'the second agent thread');
      const raw = new Redis(redis.url);
      try {
        const keys = runKeys(run);
        const opened = new RunSigner(null, run).open('init', (await raw.getBuffer(keys.init))!);
        assert.ok(opened.ok);
        const info = decodeRunInfo(opened.payload)!;
        assert.equal(info.wireDtype, 'float16');
        assert.equal(await raw.strlen(keys.params), 32 + 40 + 2 * info.numParams, 'the signed header, then one half per parameter');
      } finally {
        raw.disconnect();
      }
      const { code, summary } = await finished(trainer);
      assert.equal(code, 0, trainer.lines.join('\n'));
      assert.ok(summary?.solved, `solved with float16 on the wire: ${JSON.stringify(summary)}`);
      assert.equal(await agent.exited, 0, agent.lines.join('\n'));
    });
  });
}

test('the trainer SIGKILLed and resumed from its checkpoint: the agent waits, reconnects by itself, and training continues', { skip }, async () => {
  await withRedis(async (_redis, url, started) => {
    const run = 'resume-run';
    const store = join(mkdtempSync(join(tmpdir(), 'a3c-redis-resume-')), 'ckpt');
    const agent = a3c('agent', '--transport', url, '--run', run);
    const first = a3c('train', '--transport', url, '--run', run, '--mode', 'data', '--stop-reward', '1e9', '--checkpoint', store, '--save-every', '10000', '--max-seconds', RUN_LIMIT_S);
    started.push(agent, first);
    while (!existsSync(join(store, 'latest'))) {
      if (first.child.exitCode !== null) throw new Error(`the first trainer ended:\n${first.lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.child.kill('SIGKILL');
    await first.exited;

    // The checkpoint holds the run's transport without its password; the environment supplies it.
    const second = a3c('train', '--resume', store, '--max-steps', '60000', '--json');
    started.push(second);
    const resumedAt = Number(/^resuming .* at (\d+) steps/.exec(await waitForLine(second, /^resuming /, 'the resume line'))![1]);
    assert.ok(resumedAt >= 10_000, `resumed at ${resumedAt} steps`);
    const { code, summary } = await finished(second);
    assert.equal(code, 0, second.lines.join('\n'));
    assert.ok(summary !== null && summary.steps >= 60_000, JSON.stringify(summary));
    assert.ok(second.lines.some((l) => /^agent 0 joined/.test(l)), `the same agent serves the new trainer:\n${second.lines.join('\n')}`);
    assert.equal(await agent.exited, 0, agent.lines.join('\n'));
    assert.ok(agent.lines.some((l) => /^agent 0: the run's trainer restarted \(session [0-9a-f]{8}\)/.test(l)), agent.lines.join('\n'));
  });
});

test('a wrong or missing password is refused with one line and exit code 1', { skip }, async () => {
  await withRedis(async (redis, url, started) => {
    const wrong = a3c('agent', '--transport', `redis://:wrong@127.0.0.1:${redis.port}/0`, '--run', 'r');
    const child = spawn(process.execPath, [CLI, 'train', '--transport', url, '--run', 'r'], { env: { ...process.env, A3C_REDIS_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const none: Cli = { child, lines: [], stdout: '', exited: new Promise((resolve) => child.once('exit', resolve)) };
    child.stderr!.on('data', (chunk: Buffer) => none.lines.push(...chunk.toString().split('\n').filter((l) => l !== '')));
    started.push(wrong, none);
    assert.equal(await wrong.exited, 1);
    assert.deepEqual(wrong.lines.filter((l) => l !== ''), [
      `a3c: Redis at redis://127.0.0.1:${redis.port}/0 refused the login (WRONGPASS invalid username-password pair or user is disabled): check the password in the URL or A3C_REDIS_PASSWORD`,
    ]);
    assert.equal(await none.exited, 1);
    assert.match(none.lines.at(-1)!, /^a3c: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 refused the login \(NOAUTH .*\): check the password in the URL or A3C_REDIS_PASSWORD$/);
  });
});
