/**
 * Raw throughput of the Gymnasium bridge: agent steps/s of a GymVectorEnv (one server process)
 * under random actions, where an Atari agent step is 4 ALE frames with ptan's DQN preprocessing;
 * the round-trip time of a request with no env work; and the CPU time each side spends per agent
 * step (read from /proc, so it holds even on a busy machine). Compare with the PyTorch reference:
 * ~420 agent steps/s in its best A3C run on the same 2 cores (its PyTorch port, data mode, 2 processes).
 *
 *   node dist/bench/env-server.js [--seconds S] [--env ID] [numEnvs ...]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { AtariBackend } from '../src/envs/gym-bridge/atari-preprocessing.js';
import { GymVectorEnv } from '../src/envs/gym-bridge/gym-vector-env.js';
import { Rng } from '../src/utils/rng.js';

export interface BenchEnvServerArgs {
  envId: string;
  numEnvs: number;
  /** Measuring time, after warm-up. */
  seconds: number;
  /** The server's Atari backend (GymEnvOptions.atariBackend); the default when absent. */
  atariBackend?: AtariBackend;
}

export interface BenchEnvServerResult {
  envId: string;
  numEnvs: number;
  agentStepsPerS: number;
  /** Wall time of one `step()` of all copies. */
  vectorStepMs: number;
  /** Median wall time of one empty request/reply: the transport's latency. */
  roundTripUs: number;
  /** CPU time per agent step in the server process (emulator, preprocessing, pipe writes); null off Linux. */
  serverCpuUsPerAgentStep: number | null;
  /** CPU time per agent step in this Node process (pipe reads, decoding). */
  clientCpuUsPerAgentStep: number;
  /** Server start-up: Python, imports, N env copies and a seeded reset. */
  startupS: number;
}

const DEFAULT_SECONDS = 5;
const DEFAULT_ENV_ID = 'PongNoFrameskip-v4';
const DEFAULT_NUM_ENVS = [1, 8];
const WARMUP_STEPS = 20;
const ROUND_TRIPS = 2000;
const SEED = 0;
/** /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks. */
const UTIME_FIELD = 13;
/** USER_HZ, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;

/** CPU seconds (user + system) the process `pid` has used, or null when /proc cannot tell. */
export function processCpuS(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after it are counted from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const offset = UTIME_FIELD - 2;
    return (Number(fields[offset]) + Number(fields[offset + 1])) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

export function benchEnvServer(args: BenchEnvServerArgs): BenchEnvServerResult {
  const startMs = performance.now();
  const env = new GymVectorEnv(args.envId, args.numEnvs, args.atariBackend === undefined ? {} : { atariBackend: args.atariBackend });
  try {
    env.reset({ seed: SEED });
    const startupS = (performance.now() - startMs) / 1000;
    const space = env.singleActionSpace;
    if (space.kind !== 'discrete') throw new Error(`benchEnvServer: ${args.envId} has ${space} actions; this bench samples Discrete ones`);
    const rng = new Rng(SEED);
    const actions = new Int32Array(args.numEnvs);
    const randomStep = (): void => {
      for (let i = 0; i < actions.length; i++) actions[i] = space.sample(rng);
      env.step(actions);
    };
    for (let t = 0; t < WARMUP_STEPS; t++) randomStep();

    const roundTrips: number[] = [];
    for (let k = 0; k < ROUND_TRIPS; k++) {
      const t0 = performance.now();
      env.ping();
      roundTrips.push(performance.now() - t0);
    }
    roundTrips.sort((a, b) => a - b);

    const serverCpuStart = processCpuS(env.serverPid);
    const clientCpuStart = process.cpuUsage();
    const t0 = performance.now();
    let vectorSteps = 0;
    while (performance.now() - t0 < args.seconds * 1000) {
      randomStep();
      vectorSteps++;
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const clientCpu = process.cpuUsage(clientCpuStart);
    const serverCpuEnd = processCpuS(env.serverPid);
    const agentSteps = vectorSteps * args.numEnvs;
    const result: BenchEnvServerResult = {
      envId: args.envId,
      numEnvs: args.numEnvs,
      agentStepsPerS: Math.round(agentSteps / elapsedS),
      vectorStepMs: round((elapsedS * 1000) / vectorSteps, 3),
      roundTripUs: round(roundTrips[roundTrips.length >> 1] * 1000, 1),
      serverCpuUsPerAgentStep: serverCpuStart === null || serverCpuEnd === null ? null : round(((serverCpuEnd - serverCpuStart) * 1e6) / agentSteps, 1),
      clientCpuUsPerAgentStep: round((clientCpu.user + clientCpu.system) / agentSteps, 1),
      startupS: round(startupS, 2),
    };
    return result;
  } finally {
    env.close();
  }
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const secondsAt = argv.indexOf('--seconds');
  const seconds = secondsAt >= 0 ? Number(argv.splice(secondsAt, 2)[1]) : DEFAULT_SECONDS;
  const envAt = argv.indexOf('--env');
  const envId = envAt >= 0 ? argv.splice(envAt, 2)[1] : DEFAULT_ENV_ID;
  const counts = argv.length > 0 ? argv.map(Number) : DEFAULT_NUM_ENVS;
  for (const numEnvs of counts) console.log(JSON.stringify(benchEnvServer({ envId, numEnvs, seconds })));
}
