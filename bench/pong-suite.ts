/**
 * The Pong suite: data- and gradient-parallel A3C on PongNoFrameskip-v4 with the project's
 * defaults, env steps/s and trained samples/s over a fixed window after warm-up; the learner's
 * samples/s on the Atari net; and the env server's raw agent steps/s.
 */
import { type ModeName } from '../src/algo/config/config.js';
import { resolveConfig } from '../src/algo/training/resolve-config.js';
import { benchEnvServer, type BenchEnvServerResult } from './env-server.js';
import { ATARI_PONG_SPEC } from './learner.js';
import { benchLearnerFigures, learnerTable, type LearnerFigure } from './learner-figures.js';
import { formatTable } from './table.js';
import { measureThroughput, type ThroughputRun } from './training-runs.js';

const PONG_ENV = 'PongNoFrameskip-v4';
const MODES: ModeName[] = ['data', 'grad'];
const ATARI_BATCHES = [32, 128];

export interface PongSuiteOptions {
  warmupSeconds: number;
  windowSeconds: number;
  /** Measuring time per learner figure and for the env server. */
  learnerSeconds: number;
}

export interface PongReport {
  env: string;
  modes: ThroughputRun[];
  learner: LearnerFigure[];
  envServer: BenchEnvServerResult;
}

export async function runPongSuite(options: PongSuiteOptions, log: (line: string) => void): Promise<PongReport> {
  const learner = benchLearnerFigures([{ spec: ATARI_PONG_SPEC, batches: ATARI_BATCHES }], options.learnerSeconds, log);
  // One agent's env server: the project's envs per worker (the reference's NUM_ENVS per process).
  const numEnvs = resolveConfig({ env: PONG_ENV }).envsPerWorker;
  const envServer = benchEnvServer({ envId: PONG_ENV, numEnvs, seconds: options.learnerSeconds });
  log(`env server ${numEnvs} envs: ${envServer.agentStepsPerS} agent steps/s`);
  const modes: ThroughputRun[] = [];
  for (const mode of MODES) {
    const run = await measureThroughput({ env: PONG_ENV, mode, warmupSeconds: options.warmupSeconds, windowSeconds: options.windowSeconds });
    log(`${mode}: ${run.envStepsPerS} env steps/s, ${run.trainedSamplesPerS} trained samples/s over ${run.windowSeconds} s`);
    modes.push(run);
  }
  return { env: PONG_ENV, modes, learner, envServer };
}

export function pongTables(report: PongReport): string[] {
  const server = report.envServer;
  return [
    formatTable(
      `${report.env}: throughput over a fixed window after warm-up`,
      ['mode', 'agents x envs', 'start-up s', 'window s', 'env steps/s', 'trained samples/s', 'updates/s', 'episodes', 'mean100'],
      report.modes.map((m) => [m.mode, `${m.workers} x ${m.envsPerWorker}`, m.startupSeconds, m.windowSeconds, m.envStepsPerS, m.trainedSamplesPerS, m.updatesPerS, m.episodesInWindow, m.meanReward100]),
    ),
    learnerTable(report.learner),
    formatTable(
      `env server: ${server.envId}, random actions, one server process`,
      ['envs', 'agent steps/s', 'vector step ms', 'round trip us', 'server CPU us/step', 'client CPU us/step'],
      [[server.numEnvs, server.agentStepsPerS, server.vectorStepMs, server.roundTripUs, server.serverCpuUsPerAgentStep, server.clientCpuUsPerAgentStep]],
    ),
  ];
}
