/**
 * The multihost suite: env steps/s with 1, 2 and 4 agent processes (`a3c agent`) joining a trainer
 * through a redis-server on 127.0.0.1, against the same numbers of agent threads in one process;
 * and what crosses Redis per second: bytes into and out of it (INFO stats), parameter fetches
 * (GET calls; each moves one parameter blob) and agent messages (XADD calls).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { ModeName } from '../src/algo/config/config.js';
import { runKeys } from '../src/parallel/redis-protocol.js';
import { startRedis } from '../test/support/redis-server.js';
import { formatTable } from './table.js';
import { measureThroughput, round, type ThroughputRun } from './training-runs.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Agent processes left after their run ended are killed after this long. */
const AGENT_EXIT_GRACE_MS = 15_000;

export interface MultihostSuiteOptions {
  env: string;
  modes: ModeName[];
  /** Agent counts to compare, e.g. [1, 2, 4]. */
  agentCounts: number[];
  warmupSeconds: number;
  windowSeconds: number;
}

/** Redis traffic over the measuring window, per second. */
export interface RedisTraffic {
  /** Bytes Redis received (parameters written, agent messages). */
  bytesInPerS: number;
  /** Bytes Redis sent (parameters fetched, messages read by the trainer). */
  bytesOutPerS: number;
  paramFetchesPerS: number;
  /** Bytes of one parameter blob. */
  paramBlobBytes: number;
  messagesPerS: number;
}

export interface MultihostRun {
  mode: ModeName;
  agents: number;
  transport: 'threads' | 'redis';
  envStepsPerS: number;
  trainedSamplesPerS: number;
  updatesPerS: number;
  traffic: RedisTraffic | null;
  run: ThroughputRun;
}

export interface MultihostReport {
  env: string;
  runs: MultihostRun[];
}

interface RedisCounters {
  ms: number;
  bytesIn: number;
  bytesOut: number;
  gets: number;
  xadds: number;
}

async function sample(redis: Redis): Promise<RedisCounters> {
  const info = `${await redis.info('stats')}\n${await redis.info('commandstats')}`;
  const field = (pattern: RegExp) => Number(pattern.exec(info)?.[1] ?? 0);
  return {
    ms: performance.now(),
    bytesIn: field(/^total_net_input_bytes:(\d+)/m),
    bytesOut: field(/^total_net_output_bytes:(\d+)/m),
    gets: field(/^cmdstat_get:calls=(\d+)/m),
    xadds: field(/^cmdstat_xadd:calls=(\d+)/m),
  };
}

/** `count` agent processes for `run`; their stderr is kept for a failure message. */
function startAgents(count: number, url: string, run: string, password: string): { children: ChildProcess[]; output: string[] } {
  const output: string[] = [];
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [CLI, 'agent', '--transport', url, '--run', run], { env: { ...process.env, A3C_REDIS_PASSWORD: password }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return child;
  });
  return { children, output };
}

async function stopAgents(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => child.kill('SIGKILL'), AGENT_EXIT_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function rates(run: ThroughputRun) {
  return { envStepsPerS: run.envStepsPerS, trainedSamplesPerS: run.trainedSamplesPerS, updatesPerS: run.updatesPerS };
}

export async function runMultihostSuite(options: MultihostSuiteOptions, log: (line: string) => void): Promise<MultihostReport> {
  const password = randomBytes(12).toString('hex');
  const server = await startRedis(password);
  const url = `redis://127.0.0.1:${server.port}/0`;
  const admin = new Redis(`redis://:${password}@127.0.0.1:${server.port}/0`);
  const runs: MultihostRun[] = [];
  const window = { warmupSeconds: options.warmupSeconds, windowSeconds: options.windowSeconds };
  try {
    for (const mode of options.modes) {
      for (const agents of options.agentCounts) {
        const threads = await measureThroughput({ env: options.env, mode, ...window, overrides: { workers: agents } });
        runs.push({ mode, agents, transport: 'threads', ...rates(threads), traffic: null, run: threads });
        log(`${mode}, ${agents} agent thread(s): ${threads.envStepsPerS} env steps/s`);

        const run = `bench-${mode}-${agents}`;
        const { children, output } = startAgents(agents, url, run, password);
        const edges: Promise<RedisCounters>[] = [];
        let overRedis: ThroughputRun;
        try {
          overRedis = await measureThroughput({
            env: options.env,
            mode,
            ...window,
            overrides: { transport: `redis://:${password}@127.0.0.1:${server.port}/0`, run },
            onWindow: () => edges.push(sample(admin)),
          });
        } catch (error) {
          throw new Error(`${(error as Error).message}\nagents said:\n${output.join('')}`);
        } finally {
          await stopAgents(children);
        }
        const [first, last] = await Promise.all(edges);
        const seconds = (last.ms - first.ms) / 1000;
        const traffic: RedisTraffic = {
          bytesInPerS: Math.round((last.bytesIn - first.bytesIn) / seconds),
          bytesOutPerS: Math.round((last.bytesOut - first.bytesOut) / seconds),
          paramFetchesPerS: round((last.gets - first.gets) / seconds, 1),
          paramBlobBytes: await admin.strlen(runKeys(run).params),
          messagesPerS: round((last.xadds - first.xadds) / seconds, 1),
        };
        runs.push({ mode, agents, transport: 'redis', ...rates(overRedis), traffic, run: overRedis });
        log(`${mode}, ${agents} agent process(es) over Redis: ${overRedis.envStepsPerS} env steps/s, ${(traffic.bytesInPerS / 1e6).toFixed(2)} MB/s in, ${(traffic.bytesOutPerS / 1e6).toFixed(2)} MB/s out`);
      }
    }
  } finally {
    admin.disconnect();
    await server.kill();
  }
  return { env: options.env, runs };
}

export function multihostTables(report: MultihostReport): string[] {
  const modes = [...new Set(report.runs.map((r) => r.mode))];
  return modes.map((mode) => {
    const counts = [...new Set(report.runs.filter((r) => r.mode === mode).map((r) => r.agents))];
    const rows = counts.map((agents) => {
      const threads = report.runs.find((r) => r.mode === mode && r.agents === agents && r.transport === 'threads')!;
      const redis = report.runs.find((r) => r.mode === mode && r.agents === agents && r.transport === 'redis')!;
      const t = redis.traffic!;
      const mb = (bytes: number) => round(bytes / 1e6, 2);
      return [
        agents,
        threads.envStepsPerS,
        redis.envStepsPerS,
        round(redis.envStepsPerS / threads.envStepsPerS, 2),
        redis.updatesPerS,
        t.messagesPerS,
        t.paramFetchesPerS,
        mb(t.paramFetchesPerS * t.paramBlobBytes),
        mb(t.bytesInPerS),
        mb(t.bytesOutPerS),
      ];
    });
    return formatTable(
      `${report.env} ${mode}: agent threads in one process against agent processes over Redis (127.0.0.1)`,
      ['agents', 'threads steps/s', 'redis steps/s', 'redis/threads', 'updates/s', 'messages/s', 'param fetches/s', 'param MB/s', 'MB/s into Redis', 'MB/s out of Redis'],
      rows,
    );
  });
}
