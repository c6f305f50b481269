/**
 * The default bench suite: each mode on CartPole-v1 with the project's defaults, trained to the
 * solved bound over several seeds, and the learner's samples/s for the CartPole MLP and the Atari net.
 */
import { MODES, type ModeName } from '../src/algo/config/config.js';
import { resolveConfig } from '../src/algo/training/resolve-config.js';
import { netSpecFor } from '../src/algo/rollout/policy.js';
import { make } from '../src/envs/registry.js';
import { Discrete } from '../src/envs/spaces.js';
import type { NetSpec } from '../src/nn/networks.js';
import { ATARI_PONG_SPEC } from './learner.js';
import { benchLearnerFigures, learnerTable, type LearnerFigure } from './learner-figures.js';
import { formatTable } from './table.js';
import { runToSolve, type SolveRun } from './training-runs.js';

const CARTPOLE_ENV = 'CartPole-v1';
/** The CartPole net's batch: the reference's BATCH_SIZE, the data mode's optimiser batch. */
const MLP_BATCH = 128;
const ATARI_BATCHES = [32, 128];

export interface CartPoleSuiteOptions {
  /** Seeds 0 .. seeds-1 per mode. */
  seeds: number;
  /** Cap per training run, start-up included. */
  maxSeconds: number;
  /** Measuring time per learner figure. */
  learnerSeconds: number;
}

export interface ModeSummary {
  mode: ModeName;
  runs: number;
  solvedRuns: number;
  /** Medians over seeds, an unsolved run counting as slower than any solved one; null when the median run is unsolved. */
  medianSecondsToSolve: number | null;
  medianEnvStepsToSolve: number | null;
  medianEnvStepsPerS: number;
  medianTrainedSamplesPerS: number;
  seeds: SolveRun[];
}

export interface CartPoleReport {
  env: string;
  maxSeconds: number;
  modes: ModeSummary[];
  learner: LearnerFigure[];
}

/** The median of `values`; +Infinity stands for "not reached" and a median that is not finite becomes null. */
function median(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const value = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Number.isFinite(value) ? value : null;
}

/** The net A3C builds for CartPole-v1 with the project's defaults. */
function cartPoleNetSpec(): NetSpec {
  const env = make(CARTPOLE_ENV);
  try {
    if (!(env.actionSpace instanceof Discrete)) throw new Error(`${CARTPOLE_ENV} has a ${env.actionSpace} action space; expected Discrete`);
    return netSpecFor(env.observationSpace, env.actionSpace, resolveConfig({ env: CARTPOLE_ENV }));
  } finally {
    env.close();
  }
}

export async function runCartPoleSuite(options: CartPoleSuiteOptions, log: (line: string) => void): Promise<CartPoleReport> {
  const mlp = cartPoleNetSpec();
  const learner = benchLearnerFigures(
    [
      { spec: mlp, batches: [MLP_BATCH] },
      { spec: ATARI_PONG_SPEC, batches: ATARI_BATCHES },
    ],
    options.learnerSeconds,
    log,
  );
  const modes: ModeSummary[] = [];
  for (const mode of MODES) {
    const seeds: SolveRun[] = [];
    for (let seed = 0; seed < options.seeds; seed++) {
      const run = await runToSolve({ env: CARTPOLE_ENV, mode, seed, maxSeconds: options.maxSeconds });
      log(`${mode} seed ${seed}: ${run.solved ? 'solved' : `not solved (${run.stopReason})`} after ${run.seconds} s, ${run.envSteps} env steps, mean100 ${run.meanReward100}`);
      seeds.push(run);
    }
    const toSolve = (key: 'seconds' | 'envSteps') => median(seeds.map((run) => (run.solved ? run[key] : Infinity)));
    modes.push({
      mode,
      runs: seeds.length,
      solvedRuns: seeds.filter((run) => run.solved).length,
      medianSecondsToSolve: toSolve('seconds'),
      medianEnvStepsToSolve: toSolve('envSteps'),
      medianEnvStepsPerS: median(seeds.map((run) => run.envStepsPerS)) ?? 0,
      medianTrainedSamplesPerS: median(seeds.map((run) => run.trainedSamplesPerS)) ?? 0,
      seeds,
    });
  }
  return { env: CARTPOLE_ENV, maxSeconds: options.maxSeconds, modes, learner };
}

export function cartPoleTables(report: CartPoleReport): string[] {
  const capped = (value: number | null) => value ?? `unsolved (>${report.maxSeconds} s cap)`;
  return [
    formatTable(
      `${report.env}: to mean100 >= solved bound, median of ${report.modes[0]?.runs ?? 0} seeds (cap ${report.maxSeconds} s per run)`,
      ['mode', 'solved', 'seconds', 'env steps', 'env steps/s', 'trained samples/s'],
      report.modes.map((m) => [m.mode, `${m.solvedRuns}/${m.runs}`, capped(m.medianSecondsToSolve), capped(m.medianEnvStepsToSolve), m.medianEnvStepsPerS, m.medianTrainedSamplesPerS]),
    ),
    formatTable(
      `${report.env}: each run`,
      ['mode', 'seed', 'stop', 'seconds', 'start-up s', 'env steps', 'episodes', 'mean100', 'env steps/s', 'trained samples/s'],
      report.modes.flatMap((m) =>
        m.seeds.map((r) => [m.mode, String(r.seed), r.stopReason, r.seconds, r.startupSeconds, r.envSteps, r.episodes, r.meanReward100, r.envStepsPerS, r.trainedSamplesPerS]),
      ),
    ),
    learnerTable(report.learner),
  ];
}
