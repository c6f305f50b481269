/**
 * The multihost suite: env steps/s with N agents joining a trainer through a redis-server on
 * 127.0.0.1, against N agent threads in the trainer's process, for each wire dtype; and what
 * crosses Redis per update: parameter bytes down (GET calls x the blob's size) and bytes up (into
 * Redis, less the trainer's parameter writes: the agents' messages and the commands around them).
 * Over Redis the N agents run as one `a3c agent --workers N` (one host, which fetches each version
 * once for its threads) and, for float32, also as N one-thread `a3c agent` processes (N hosts:
 * the traffic of one fetch per agent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { ModeName } from '../src/algo/config/config.js';
import { runKeys } from '../src/parallel/redis-protocol.js';
import { WIRE_DTYPES, type WireDtype } from '../src/parallel/wire-dtype.js';
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

/** Redis traffic over the measuring window. */
export interface RedisTraffic {
  /** Parameter bytes fetched by agents per update (GET calls x paramBlobBytes). */
  downBytesPerUpdate: number;
  /** Bytes into Redis per update, less the trainer's parameter writes: the agents' messages, heartbeats and credits. */
  upBytesPerUpdate: number;
  paramFetchesPerUpdate: number;
  /** Bytes of one parameter blob. */
  paramBlobBytes: number;
  messagesPerS: number;
}

/** How the agents of a run over Redis are spread: one host with N threads, or N hosts with one. */
export type AgentLayout = 'threads' | 'one host' | 'one host each';

export interface MultihostRun {
  mode: ModeName;
  agents: number;
  layout: AgentLayout;
  wireDtype: WireDtype;
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
  gets: number;
  xadds: number;
  /** PUBLISH calls: one "params" note per parameter write (and the "stop" at the end). */
  publishes: number;
}

async function sample(redis: Redis): Promise<RedisCounters> {
  const info = `${await redis.info('stats')}\n${await redis.info('commandstats')}`;
  const field = (pattern: RegExp) => Number(pattern.exec(info)?.[1] ?? 0);
  return {
    ms: performance.now(),
    bytesIn: field(/^total_net_input_bytes:(\d+)/m),
    gets: field(/^cmdstat_get:calls=(\d+)/m),
    xadds: field(/^cmdstat_xadd:calls=(\d+)/m),
    publishes: field(/^cmdstat_publish:calls=(\d+)/m),
  };
}

/** `processes` agent processes of `threads` threads each for `run`; their stderr is kept for a failure message. */
function startAgents(processes: number, threads: number, url: string, run: string, password: string): { children: ChildProcess[]; output: string[] } {
  const output: string[] = [];
  const children = Array.from({ length: processes }, () => {
    const child = spawn(process.execPath, [CLI, 'agent', '--transport', url, '--run', run, '--workers', String(threads)], { env: { ...process.env, A3C_REDIS_PASSWORD: password }, stdio: ['ignore', 'ignore', 'pipe'] });
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

/** One run over Redis: `agents` agents laid out as `layout`, with `wireDtype` on the wire; the trainer runs no agents of its own. */
async function overRedis(
  options: MultihostSuiteOptions,
  mode: ModeName,
  agents: number,
  layout: Exclude<AgentLayout, 'threads'>,
  wireDtype: WireDtype,
  server: { port: number; password: string; admin: Redis },
): Promise<MultihostRun> {
  const { port, password, admin } = server;
  const run = `bench-${mode}-${agents}-${layout.replaceAll(' ', '-')}-${wireDtype}`;
  const [processes, threads] = layout === 'one host' ? [1, agents] : [agents, 1];
  const { children, output } = startAgents(processes, threads, `redis://127.0.0.1:${port}/0`, run, password);
  const edges: Promise<RedisCounters>[] = [];
  let measured: ThroughputRun;
  try {
    measured = await measureThroughput({
      env: options.env,
      mode,
      warmupSeconds: options.warmupSeconds,
      windowSeconds: options.windowSeconds,
      overrides: { transport: `redis://:${password}@127.0.0.1:${port}/0`, run, workers: 0, wireDtype },
      onWindow: () => edges.push(sample(admin)),
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nagents said:\n${output.join('')}`);
  } finally {
    await stopAgents(children);
  }
  const [first, last] = await Promise.all(edges);
  const seconds = (last.ms - first.ms) / 1000;
  const updates = Math.max(1, Math.round(measured.updatesPerS * measured.windowSeconds));
  const paramBlobBytes = await admin.strlen(runKeys(run).params);
  const fetches = last.gets - first.gets;
  const traffic: RedisTraffic = {
    downBytesPerUpdate: Math.round((fetches * paramBlobBytes) / updates),
    upBytesPerUpdate: Math.round((last.bytesIn - first.bytesIn - (last.publishes - first.publishes) * paramBlobBytes) / updates),
    paramFetchesPerUpdate: round(fetches / updates, 2),
    paramBlobBytes,
    messagesPerS: round((last.xadds - first.xadds) / seconds, 1),
  };
  return { mode, agents, layout, wireDtype, ...rates(measured), traffic, run: measured };
}

export async function runMultihostSuite(options: MultihostSuiteOptions, log: (line: string) => void): Promise<MultihostReport> {
  const password = randomBytes(12).toString('hex');
  const server = await startRedis(password);
  const admin = new Redis(`redis://:${password}@127.0.0.1:${server.port}/0`);
  const runs: MultihostRun[] = [];
  try {
    for (const mode of options.modes) {
      for (const agents of options.agentCounts) {
        const window = { warmupSeconds: options.warmupSeconds, windowSeconds: options.windowSeconds };
        const threads = await measureThroughput({ env: options.env, mode, ...window, overrides: { workers: agents } });
        runs.push({ mode, agents, layout: 'threads', wireDtype: 'float32', ...rates(threads), traffic: null, run: threads });
        log(`${mode}, ${agents} agent thread(s) in the trainer's process: ${threads.envStepsPerS} env steps/s`);
        const layouts: [Exclude<AgentLayout, 'threads'>, WireDtype][] = WIRE_DTYPES.map((dtype) => ['one host', dtype]);
        if (agents > 1) layouts.push(['one host each', 'float32']);
        for (const [layout, wireDtype] of layouts) {
          const result = await overRedis(options, mode, agents, layout, wireDtype, { port: server.port, password, admin });
          runs.push(result);
          const t = result.traffic!;
          log(`${mode}, ${agents} agent(s) over Redis, ${layout}, ${wireDtype}: ${result.envStepsPerS} env steps/s, ${t.downBytesPerUpdate} B down and ${t.upBytesPerUpdate} B up per update`);
        }
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
    const rows = report.runs
      .filter((r) => r.mode === mode)
      .map((r) => {
        const threads = report.runs.find((t) => t.mode === mode && t.agents === r.agents && t.layout === 'threads')!;
        const t = r.traffic;
        const kb = (bytes: number) => round(bytes / 1e3, 1);
        return [
          r.agents,
          r.layout === 'threads' ? "threads in the trainer's process" : `redis, ${r.layout === 'one host' ? `1 host x ${r.agents} threads` : `${r.agents} hosts x 1 thread`}`,
          r.layout === 'threads' ? '-' : r.wireDtype,
          r.envStepsPerS,
          round(r.envStepsPerS / threads.envStepsPerS, 2),
          r.updatesPerS,
          t === null ? '-' : t.paramFetchesPerUpdate,
          t === null ? '-' : kb(t.downBytesPerUpdate),
          t === null ? '-' : kb(t.upBytesPerUpdate),
          t === null ? '-' : t.messagesPerS,
        ];
      });
    return formatTable(
      `${report.env} ${mode}: agent threads in the trainer's process against agents over Redis (127.0.0.1)`,
      ['agents', 'where', 'wire', 'env steps/s', 'vs threads', 'updates/s', 'param fetches/update', 'kB down/update', 'kB up/update', 'messages/s'],
      rows,
    );
  });
}
