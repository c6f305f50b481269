/**
 * `npm run bench -- pong-profile`: where each millisecond of a Pong env step goes. For each mode
 * and Atari backend, runs the default `a3c train --env PongNoFrameskip-v4` under
 * `node --cpu-prof` (one V8 profile per thread), and over a window after warm-up divides each
 * thread's time by the env steps taken in it: the env servers' CPU (read from /proc), and per
 * category of call stack (cpu-profile.ts) the agents' and the trainer's time: waiting on the env
 * server, the pipe and copies, forward passes (inference; the learner's forward and loss),
 * backward, optimiser, transport, blocked on a full queue, idle, GC. Then the env-only ceiling:
 * one env server with random actions, both backends. The profiler costs a few per cent of speed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModeName } from '../src/algo/config/config.js';
import { resolveConfig } from '../src/algo/training/resolve-config.js';
import type { AtariBackend } from '../src/envs/gym-bridge/atari-preprocessing.js';
import { progressOf, spawnCli } from './cli-child.js';
import { categorize, profileThreadId, readCpuProfile, type CallFrame, type CategoryRule } from './cpu-profile.js';
import { benchEnvServer, processCpuS, type BenchEnvServerResult } from './env-server.js';
import { formatTable } from './table.js';
import { round } from './training-runs.js';

const PONG_ENV = 'PongNoFrameskip-v4';
/** Start-up (Python servers, threads, backends) allowed before the child is stopped regardless. */
const STARTUP_ALLOWANCE_S = 120;

const inSource = (frame: CallFrame, folder: string) => frame.url.includes(`/dist/src/${folder}`);
const named = (frame: CallFrame, name: string, folder: string) => frame.functionName === name && inSource(frame, folder);
const anyFrame = (test: (frame: CallFrame) => boolean) => (stack: readonly CallFrame[]) => stack.some(test);
const leafIs = (name: string) => (stack: readonly CallFrame[]) => stack[0]?.functionName === name;
const leafIsNative = (stack: readonly CallFrame[]) => stack[0] !== undefined && stack[0].url === '';
/** The innermost frame of the project's own code: agent threads run under parallel/ code at their root. */
const innermostSource = (stack: readonly CallFrame[]) => stack.find((frame) => frame.url.includes('/dist/src/'));

/**
 * The categories, in the order they are tried: the first whose rule matches a sample's stack
 * takes it. `blocked on a full queue` is an agent's send waiting for the trainer to take
 * messages (V8 books Atomics.wait as the self time of its caller); `transport` is time inside parallel/ code itself (posting, copying
 * parameters); `env wait` a blocking read of the server's reply. Forward passes are tried
 * before backward because the loss's forward runs inside flatGradients.
 */
export const PROFILE_CATEGORIES: readonly CategoryRule[] = [
  { category: 'idle', matches: leafIs('(idle)') },
  { category: 'gc', matches: leafIs('(garbage collector)') },
  { category: 'blocked on a full queue', matches: (s) => s[0] !== undefined && named(s[0], 'send', 'parallel/') },
  { category: 'transport', matches: (s) => innermostSource(s) !== undefined && inSource(innermostSource(s)!, 'parallel/') },
  { category: 'env wait', matches: (s) => leafIsNative(s) && s.some((f) => named(f, 'readFully', 'envs/gym-bridge/')) },
  { category: 'pipe and copies', matches: anyFrame((f) => inSource(f, 'envs/')) },
  { category: 'batch copies', matches: anyFrame((f) => ['obsTensor', 'concatTransitions', 'joinRollouts'].includes(f.functionName) && inSource(f, 'algo/')) },
  { category: 'forward', matches: anyFrame((f) => named(f, 'forward', 'nn/') || named(f, 'actorCriticLoss', 'algo/')) },
  { category: 'backward', matches: anyFrame((f) => named(f, 'flatGradients', 'nn/')) },
  { category: 'optimiser', matches: anyFrame((f) => inSource(f, 'nn/optimizers') || named(f, 'clipGradNorm', 'nn/') || named(f, 'clipFinite', 'algo/')) },
];
const CATEGORY_NAMES = [...PROFILE_CATEGORIES.map((rule) => rule.category), 'other'];

/** Milliseconds per env step by category, for one group of threads (summed over them). */
export type MsPerStep = Record<string, number>;

export interface ProfiledRun {
  mode: ModeName;
  backend: AtariBackend;
  windowSeconds: number;
  envStepsPerS: number;
  /** CPU of every env server process, per env step. */
  serverCpuMsPerStep: number;
  agents: MsPerStep;
  trainer: MsPerStep;
}

export interface PongProfileOptions {
  modes: ModeName[];
  backends: AtariBackend[];
  warmupSeconds: number;
  windowSeconds: number;
  /** Measuring time of each env-only figure. */
  ceilingSeconds: number;
}

export interface PongProfileReport {
  env: string;
  runs: ProfiledRun[];
  ceiling: Array<BenchEnvServerResult & { backend: AtariBackend }>;
}

/** Pids of the processes whose parent is `pid` (/proc). */
function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function childrenCpuS(pid: number): number {
  return childPids(pid).reduce((sum, child) => sum + (processCpuS(child) ?? 0), 0);
}

/** The window's edges as the child's progress lines and the bench's clocks saw them. */
interface WindowEdge {
  envSteps: number;
  /** The monotonic clock (CLOCK_MONOTONIC) in microseconds: V8's profile clock, shared by every process. */
  clockUs: number;
  serverCpuS: number;
}

/** Ms per env step of each category, summed over the threads whose window `totals` (us) are given. */
function msPerStep(totals: Map<string, number>[], envSteps: number): MsPerStep {
  const out: MsPerStep = {};
  for (const name of CATEGORY_NAMES) out[name] = round(totals.reduce((sum, t) => sum + (t.get(name) ?? 0), 0) / 1000 / envSteps, 3);
  return out;
}

/**
 * Trains `mode` on `backend` under the profiler until `warmupSeconds` + `windowSeconds` after the
 * first progress line with env steps, then stops the child (SIGINT: it saves nothing, having no
 * checkpoint folder) and reads its profiles.
 * @throws Error with the child's last lines when it fails or stops before the window closes.
 */
export async function profileRun(mode: ModeName, backend: AtariBackend, options: Pick<PongProfileOptions, 'warmupSeconds' | 'windowSeconds'>, log: (line: string) => void): Promise<ProfiledRun> {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-pong-profile-'));
  try {
    const maxSeconds = STARTUP_ALLOWANCE_S + options.warmupSeconds + options.windowSeconds;
    const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const args = ['train', '--env', PONG_ENV, '--mode', mode, '--atari-backend', backend, '--max-seconds', String(maxSeconds)];
    log(`node ${args.join(' ')} (profiled)`);
    const edges: WindowEdge[] = [];
    let firstStepsAtS: number | null = null;
    const run = spawnCli(nodeArgs, args, (line) => {
      const progress = progressOf(line);
      if (progress === null || progress.envSteps === 0 || edges.length === 2) return;
      firstStepsAtS ??= progress.seconds;
      const due = firstStepsAtS + options.warmupSeconds + (edges.length === 0 ? 0 : options.windowSeconds);
      if (progress.seconds < due) return;
      edges.push({ envSteps: progress.envSteps, clockUs: Number(process.hrtime.bigint() / 1000n), serverCpuS: childrenCpuS(run.child.pid!) });
      if (edges.length === 2) run.child.kill('SIGINT');
    });
    const { code } = await run.closed;
    if (edges.length < 2) throw new Error(`a3c train (${mode}, ${backend}) ended with code ${code} before the window closed; its last lines:\n${run.tail()}`);
    const [start, end] = edges;
    const envSteps = end.envSteps - start.envSteps;
    const windowSeconds = (end.clockUs - start.clockUs) / 1e6;
    const files = readdirSync(dir).filter((name) => profileThreadId(name) !== null);
    const main = files.find((name) => profileThreadId(name) === 0);
    if (main === undefined) throw new Error(`${dir}: no main-thread profile among ${files.join(', ')}`);
    const mainProfile = readCpuProfile(join(dir, main));
    const [fromUs, toUs] = [start.clockUs, end.clockUs];
    if (fromUs < mainProfile.startTime || toUs > mainProfile.endTime) {
      throw new Error(`the window [${fromUs}, ${toUs}] us is not inside the trainer's profile [${mainProfile.startTime}, ${mainProfile.endTime}]: V8's profile clock is not this process's monotonic clock here`);
    }
    const agents = files.filter((name) => name !== main).map((name) => categorize(readCpuProfile(join(dir, name)), PROFILE_CATEGORIES, fromUs, toUs));
    const trainer = categorize(mainProfile, PROFILE_CATEGORIES, fromUs, toUs);
    return {
      mode,
      backend,
      windowSeconds: round(windowSeconds, 1),
      envStepsPerS: Math.round(envSteps / windowSeconds),
      serverCpuMsPerStep: round(((end.serverCpuS - start.serverCpuS) * 1000) / envSteps, 3),
      agents: msPerStep(agents, envSteps),
      trainer: msPerStep([trainer], envSteps),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every mode on every backend, profiled in turn, then the env-only ceiling of each backend. */
export async function runPongProfileSuite(options: PongProfileOptions, log: (line: string) => void): Promise<PongProfileReport> {
  const runs: ProfiledRun[] = [];
  for (const mode of options.modes) {
    for (const backend of options.backends) {
      const run = await profileRun(mode, backend, options, log);
      log(`${mode} ${backend}: ${run.envStepsPerS} env steps/s over ${run.windowSeconds} s`);
      runs.push(run);
    }
  }
  // One agent's env server: the envs per agent of Pong's defaults.
  const numEnvs = resolveConfig({ env: PONG_ENV }).envsPerWorker;
  const ceiling = options.backends.map((backend) => {
    const figure = { backend, ...benchEnvServer({ envId: PONG_ENV, numEnvs, seconds: options.ceilingSeconds, atariBackend: backend }) };
    log(`env server ${backend}, ${numEnvs} envs, random actions: ${figure.agentStepsPerS} env steps/s`);
    return figure;
  });
  return { env: PONG_ENV, runs, ceiling };
}

export function pongProfileTables(report: PongProfileReport): string[] {
  const used = (group: 'agents' | 'trainer') => CATEGORY_NAMES.filter((name) => report.runs.some((run) => run[group][name] > 0));
  const groupTable = (group: 'agents' | 'trainer', title: string) => {
    const names = used(group);
    return formatTable(
      title,
      ['mode', 'backend', 'env steps/s', ...names, 'sum'],
      report.runs.map((run) => [run.mode, run.backend, run.envStepsPerS, ...names.map((n) => run[group][n]), round(names.reduce((sum, n) => sum + run[group][n], 0), 3)]),
    );
  };
  return [
    formatTable(
      `${report.env}, default command under the profiler: env servers' CPU ms per env step`,
      ['mode', 'backend', 'window s', 'env steps/s', 'env server CPU ms/step'],
      report.runs.map((run) => [run.mode, run.backend, run.windowSeconds, run.envStepsPerS, run.serverCpuMsPerStep]),
    ),
    groupTable('agents', 'agent threads: ms per env step, summed over the threads (each thread: its share of the wall time)'),
    groupTable('trainer', 'trainer thread: ms per env step (sums to the wall time of a step)'),
    formatTable(
      'env-only ceiling: one env server, random actions',
      ['backend', 'envs', 'env steps/s', 'server CPU us/step', 'client CPU us/step'],
      report.ceiling.map((c) => [c.backend, c.numEnvs, c.agentStepsPerS, c.serverCpuUsPerAgentStep, c.clientCpuUsPerAgentStep]),
    ),
  ];
}
