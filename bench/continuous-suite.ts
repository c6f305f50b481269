/**
 * `npm run bench -- continuous`: the continuous-control presets (ENV_DEFAULTS) trained to their
 * bounds, median over seeds, each final checkpoint evaluated with the policy's mean as `a3c eval`
 * does; and what held exploration noise (NetPolicy) changes for random policies on the two
 * Mountain Car tasks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModeName, type TrainConfig } from '../src/algo/config/config.js';
import { resolveConfig } from '../src/algo/training/resolve-config.js';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import { registerAtariEnvs } from '../src/envs/atari/index.js';
import { make, envSpec } from '../src/envs/registry.js';
import { Rng } from '../src/utils/rng.js';
import { formatTable } from './table.js';
import { runToSolve, type SolveRun } from './training-runs.js';

/** The issue's envs: Gaussian policies on three, and MountainCar-v0's discrete one with the same normalisation. */
export const CONTINUOUS_ENVS: readonly string[] = ['Pendulum-v1', 'MountainCarContinuous-v0', 'MountainCar-v0', 'gym:InvertedPendulum-v5'];
/** Episodes per random-policy exploration figure. */
const EXPLORATION_EPISODES = 200;
const EXPLORATION_HOLDS = [1, 16];
/** The first seed of the evaluation episodes: `a3c eval`'s. */
const EVAL_SEED = 0;

export interface ContinuousSuiteOptions {
  envs: readonly string[];
  /** Modes to run each env in; null: each env's default mode. */
  modes: ModeName[] | null;
  /** Seeds 0 .. seeds-1 per env and mode. */
  seeds: number;
  /** Cap per training run, start-up included. */
  maxSeconds: number;
  /** Episodes `a3c eval` plays with each final checkpoint. */
  evalEpisodes: number;
  /** Config keys over every env's preset (e.g. policyStd), or none. */
  overrides: Partial<TrainConfig>;
  /** Where each run writes its TensorBoard folder (for `a3c plot`); null: none. */
  logdir: string | null;
}

export interface ContinuousRun extends SolveRun {
  /** Mean reward of `evalEpisodes` deterministic episodes with the final checkpoint. */
  evalReward: number;
}

export interface EnvSummary {
  env: string;
  mode: ModeName;
  bound: number | null;
  runs: number;
  solvedRuns: number;
  /** Medians over seeds, an unsolved run counting as slower than any solved one; null when the median run is unsolved. */
  medianSecondsToSolve: number | null;
  medianEnvStepsToSolve: number | null;
  medianEvalReward: number | null;
  seeds: ContinuousRun[];
}

export interface ExplorationFigure {
  env: string;
  /** Steps each noise draw is held for. */
  holdSteps: number;
  /** Random episodes (of EXPLORATION_EPISODES) that reached the goal. */
  reachedGoal: number;
}

export interface ContinuousReport {
  maxSeconds: number;
  overrides: Partial<TrainConfig>;
  envs: EnvSummary[];
  exploration: ExplorationFigure[];
}

function median(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const value = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Number.isFinite(value) ? value : null;
}

/**
 * Random episodes of the two Mountain Car tasks that reach the goal: the continuous one with
 * N(0, 1) pushes, the discrete one with uniform actions, each noise draw held for `holdSteps`.
 */
export function explorationFigures(): ExplorationFigure[] {
  const figures: ExplorationFigure[] = [];
  for (const env of ['MountainCarContinuous-v0', 'MountainCar-v0']) {
    for (const holdSteps of EXPLORATION_HOLDS) {
      const rng = new Rng(0);
      let reachedGoal = 0;
      for (let episode = 0; episode < EXPLORATION_EPISODES; episode++) {
        const instance = make(env);
        instance.reset({ seed: episode });
        let noise = 0;
        for (let t = 0; ; t++) {
          if (t % holdSteps === 0) noise = env === 'MountainCar-v0' ? rng.random() : rng.normal();
          const action = env === 'MountainCar-v0' ? Math.floor(noise * 3) : Float32Array.of(Math.min(Math.max(noise, -1), 1));
          const step = instance.step(action);
          if (step.terminated) reachedGoal++;
          if (step.terminated || step.truncated) break;
        }
        instance.close();
      }
      figures.push({ env, holdSteps, reachedGoal });
    }
  }
  return figures;
}

export async function runContinuousSuite(options: ContinuousSuiteOptions, log: (line: string) => void): Promise<ContinuousReport> {
  registerAtariEnvs();
  const exploration = explorationFigures();
  const envs: EnvSummary[] = [];
  for (const env of options.envs) {
    const preset = resolveConfig({ ...options.overrides, env });
    const bound = preset.stopReward ?? envSpec(env).rewardThreshold;
    for (const mode of options.modes ?? [preset.mode]) {
      const seeds: ContinuousRun[] = [];
      for (let seed = 0; seed < options.seeds; seed++) {
        const checkpoint = mkdtempSync(join(tmpdir(), 'a3c-bench-'));
        try {
          const run = await runToSolve({ env, mode, seed, maxSeconds: options.maxSeconds, overrides: { ...options.overrides, checkpoint, logdir: options.logdir ?? undefined } });
          const evaluation = await evaluateCheckpoint(checkpoint, { episodes: options.evalEpisodes, seed: EVAL_SEED });
          const evalReward = Math.round(evaluation.meanReward * 10) / 10;
          log(`${env} ${mode} seed ${seed}: ${run.solved ? 'solved' : `not solved (${run.stopReason})`} after ${run.seconds} s, ${run.envSteps} env steps, mean100 ${run.meanReward100}; eval ${evalReward}`);
          seeds.push({ ...run, checkpoint: null, evalReward });
        } finally {
          rmSync(checkpoint, { recursive: true, force: true });
        }
      }
      const toSolve = (key: 'seconds' | 'envSteps') => median(seeds.map((run) => (run.solved ? run[key] : Infinity)));
      envs.push({
        env,
        mode,
        bound,
        runs: seeds.length,
        solvedRuns: seeds.filter((run) => run.solved).length,
        medianSecondsToSolve: toSolve('seconds'),
        medianEnvStepsToSolve: toSolve('envSteps'),
        medianEvalReward: median(seeds.map((run) => run.evalReward)),
        seeds,
      });
    }
  }
  return { maxSeconds: options.maxSeconds, overrides: options.overrides, envs, exploration };
}

export function continuousTables(report: ContinuousReport): string[] {
  const capped = (value: number | null) => value ?? `unsolved (>${report.maxSeconds} s cap)`;
  const changed = Object.keys(report.overrides).length === 0 ? 'presets' : `presets with ${JSON.stringify(report.overrides)}`;
  return [
    formatTable(
      `Continuous control (${changed}): to mean100 >= bound, median of ${report.envs[0]?.runs ?? 0} seeds (cap ${report.maxSeconds} s per run); eval: the final checkpoint's mean action`,
      ['env', 'mode', 'bound', 'solved', 'seconds', 'env steps', 'eval reward'],
      report.envs.map((e) => [e.env, e.mode, e.bound, `${e.solvedRuns}/${e.runs}`, capped(e.medianSecondsToSolve), capped(e.medianEnvStepsToSolve), e.medianEvalReward]),
    ),
    formatTable(
      'Continuous control: each run',
      ['env', 'mode', 'seed', 'stop', 'seconds', 'env steps', 'episodes', 'mean100', 'eval reward', 'env steps/s'],
      report.envs.flatMap((e) => e.seeds.map((r) => [e.env, e.mode, String(r.seed), r.stopReason, r.seconds, r.envSteps, r.episodes, r.meanReward100, r.evalReward, r.envStepsPerS])),
    ),
    formatTable(
      `Random policies reaching the goal, of ${EXPLORATION_EPISODES} episodes (noise held for n steps)`,
      ['env', 'held steps', 'reached goal'],
      report.exploration.map((f) => [f.env, f.holdSteps, f.reachedGoal]),
    ),
  ];
}
