import { join } from 'node:path';
import { saveCheckpoint, type Checkpoint } from '../../io/checkpoint.js';
import { BEST_SNAPSHOT } from '../../io/checkpoint-store.js';
import type { TrainConfig } from '../config/config.js';
import { playCheckpoint } from './play.js';
import type { RunStats } from './run-stats.js';
import type { EvalSummary, TrainCallbacks } from './training-context.js';

/** Evaluation episode e resets with this + e: seeds apart from the training envs' (run seed + agent). */
const EVAL_SEED = 1_000_000;

/** The first multiple of `every` env steps after `steps`: when a periodic save or evaluation is due; never when `every` is null. */
export function nextMultiple(steps: number, every: number | null): number {
  return every === null ? Infinity : (Math.floor(steps / every) + 1) * every;
}

export interface PeriodicEvaluationOptions {
  config: Pick<TrainConfig, 'evalEvery' | 'evalEpisodes' | 'checkpoint'>;
  stats: RunStats;
  /** The running training as a checkpoint, carrying `bestEvalReward`. */
  snapshot(bestEvalReward: number | null): Checkpoint;
  /** Best mean reward of earlier evaluations (a resumed run's), or null. */
  bestEvalReward: number | null;
  onEval(result: EvalSummary, stats: RunStats): void;
}

/**
 * Stable-Baselines3's EvalCallback with best-model saving: every `evalEvery` env steps (after an
 * update), plays `evalEpisodes` whole episodes of the greedy policy on env copies of its own and
 * reports their mean; a mean above every earlier one is saved to `<checkpoint>/best/` (atomically,
 * as every checkpoint), which eval, play, export and `--resume` take like any checkpoint, so a run
 * that collapses after its peak keeps the peak's policy. Each mean goes to `stats.evalReward`,
 * which decides when the run is solved (`isSolved`). Returns the hooks, and `best()` for the best
 * mean so far.
 */
export function periodicEvaluation(options: PeriodicEvaluationOptions): { callbacks: TrainCallbacks; best(): number | null } {
  const { config, stats } = options;
  let best = options.bestEvalReward;
  let nextAt = nextMultiple(stats.envSteps, config.evalEvery);
  const callbacks: TrainCallbacks = {
    onUpdate: () => {
      if (stats.envSteps < nextAt) return;
      nextAt = nextMultiple(stats.envSteps, config.evalEvery);
      const played = playCheckpoint(options.snapshot(best), { episodes: config.evalEpisodes, seed: EVAL_SEED }, 'the running training');
      const meanLength = played.lengths.reduce((a, b) => a + b, 0) / played.lengths.length;
      stats.evalReward = played.meanReward;
      const isBest = best === null || played.meanReward > best;
      if (isBest) {
        best = played.meanReward;
        if (config.checkpoint !== null) saveCheckpoint(join(config.checkpoint, BEST_SNAPSHOT), options.snapshot(best));
      }
      options.onEval({ meanReward: played.meanReward, meanLength, episodes: played.episodes, best: isBest }, stats);
    },
  };
  return { callbacks, best: () => best };
}
