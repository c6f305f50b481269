/**
 * Whole training runs through the public A3C class with the project's per-env defaults: how long
 * a run takes to reach the env's solved bound, and the steady throughput over a fixed window.
 */
import { A3C } from '../src/algo/a3c.js';
import type { ModeName, TrainConfig } from '../src/algo/config/config.js';
import type { RunStats } from '../src/algo/training/run-stats.js';

export interface SolveRunArgs {
  env: string;
  mode: ModeName;
  seed: number;
  /** Cap on the run's wall time, start-up included. */
  maxSeconds: number;
  /** Config keys over the env's defaults (a checkpoint or log folder, ...). */
  overrides?: Partial<TrainConfig>;
}

export interface SolveRun {
  seed: number;
  solved: boolean;
  stopReason: string;
  /** Wall time to the stop, start-up included. */
  seconds: number;
  startupSeconds: number;
  envSteps: number;
  episodes: number;
  updates: number;
  trainedSamples: number;
  meanReward100: number | null;
  /** Env steps and trained samples per second after start-up. */
  envStepsPerS: number;
  trainedSamplesPerS: number;
  backend: string;
  /** The final checkpoint's folder, when `overrides` asked for one. */
  checkpoint: string | null;
}

/** Trains until the env's solved bound (the A3C class's stop rule) or `maxSeconds`. */
export async function runToSolve({ env, mode, seed, maxSeconds, overrides }: SolveRunArgs): Promise<SolveRun> {
  const result = await new A3C({ ...overrides, env, mode, seed, maxSeconds }).learn();
  const actingSeconds = result.seconds - result.startupSeconds;
  return {
    seed,
    solved: result.solved,
    stopReason: result.stopReason,
    seconds: round(result.seconds, 2),
    startupSeconds: round(result.startupSeconds, 2),
    envSteps: result.steps,
    episodes: result.episodes,
    updates: result.updates,
    trainedSamples: result.trainedSamples,
    meanReward100: result.meanReward === null ? null : round(result.meanReward, 1),
    envStepsPerS: Math.round(result.stepsPerSecond),
    trainedSamplesPerS: Math.round(result.trainedSamples / actingSeconds),
    backend: result.backend,
    checkpoint: result.checkpoint,
  };
}

export interface ThroughputArgs {
  env: string;
  mode: ModeName;
  /** Seconds between the first progress report with env steps and the window's start. */
  warmupSeconds: number;
  windowSeconds: number;
  /** Config keys over the env's defaults (workers, a transport, ...). */
  overrides?: Partial<TrainConfig>;
  /** Called as the window opens and as it closes, e.g. to sample counters outside the run. */
  onWindow?(edge: 'start' | 'end'): void;
}

export interface ThroughputRun {
  mode: ModeName;
  workers: number;
  envsPerWorker: number;
  startupSeconds: number;
  warmupSeconds: number;
  /** The window actually measured: progress reports come about once a second. */
  windowSeconds: number;
  envStepsPerS: number;
  trainedSamplesPerS: number;
  updatesPerS: number;
  episodesInWindow: number;
  meanReward100: number | null;
  backend: string;
}

interface Counters {
  seconds: number;
  envSteps: number;
  trainedSamples: number;
  updates: number;
  episodes: number;
}

function countersOf(stats: RunStats): Counters {
  return { seconds: stats.seconds, envSteps: stats.envSteps, trainedSamples: stats.trainedSamples, updates: stats.updates, episodes: stats.episodes };
}

/** Start-up (Python env servers, worker threads, backends) allowed before the run is cut short. */
const STARTUP_ALLOWANCE_S = 300;

/**
 * Trains with the env's defaults, takes the counters `warmupSeconds` after the first progress
 * report that has env steps and again `windowSeconds` later, then stops the run.
 */
export async function measureThroughput({ env, mode, warmupSeconds, windowSeconds, overrides, onWindow }: ThroughputArgs): Promise<ThroughputRun> {
  // Typed by assertion so that checks after learn() do not treat them as still null: the
  // progress callback assigns them.
  let windowStartsAtS = null as number | null;
  let start = null as Counters | null;
  let end = null as Counters | null;
  const a3c = new A3C({
    // Throughput, not learning: a run that solves its env must not end before the window does.
    stopReward: Number.MAX_VALUE,
    ...overrides,
    env,
    mode,
    maxSeconds: STARTUP_ALLOWANCE_S + warmupSeconds + windowSeconds,
    callbacks: {
      onProgress(stats) {
        if (windowStartsAtS === null) {
          if (stats.envSteps > 0) windowStartsAtS = stats.seconds + warmupSeconds;
        } else if (start === null) {
          if (stats.seconds >= windowStartsAtS) {
            start = countersOf(stats);
            onWindow?.('start');
          }
        } else if (end === null && stats.seconds >= start.seconds + windowSeconds) {
          end = countersOf(stats);
          onWindow?.('end');
          a3c.stop();
        }
      },
    },
  });
  const result = await a3c.learn();
  if (start === null || end === null) {
    throw new Error(
      `${env} ${mode}: the run stopped (${result.stopReason} after ${result.seconds.toFixed(0)} s, ${result.steps} env steps) ` +
        `before the ${windowSeconds} s window after ${warmupSeconds} s of warm-up was complete`,
    );
  }
  const [first, last] = [start, end];
  const seconds = last.seconds - first.seconds;
  const rate = (key: keyof Counters) => round((last[key] - first[key]) / seconds, 1);
  return {
    mode,
    workers: a3c.config.workers,
    envsPerWorker: a3c.config.envsPerWorker,
    startupSeconds: round(result.startupSeconds, 2),
    warmupSeconds,
    windowSeconds: round(seconds, 2),
    envStepsPerS: rate('envSteps'),
    trainedSamplesPerS: rate('trainedSamples'),
    updatesPerS: rate('updates'),
    episodesInWindow: last.episodes - first.episodes,
    meanReward100: result.meanReward === null ? null : round(result.meanReward, 2),
    backend: result.backend,
  };
}

export function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
