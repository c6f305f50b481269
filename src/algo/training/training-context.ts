/**
 * What the training loop (runner.ts) is handed and how it ends: the context of a run (config,
 * learner, counters), the callbacks that extend the loop without editing it, and the stop rules.
 */
import type { NetSpec } from '../../nn/networks.js';
import type { TrainConfig } from '../config/config.js';
import type { Learner, UpdateStats } from '../update/learner.js';
import type { Normalizer } from '../agent/normalization.js';
import type { EpisodeRecord } from '../rollout/collector.js';
import type { RunStats } from './run-stats.js';

/** Hooks that extend the training loop without editing it (SB3's callbacks). */
export interface TrainCallbacks {
  /** About once a second. */
  onProgress?(stats: RunStats): void;
  onUpdate?(update: UpdateStats, stats: RunStats): void;
  onEpisodes?(episodes: EpisodeRecord[], stats: RunStats): void;
  /** Lines for the user (agent crashes, backend in use). */
  onLog?(line: string): void;
  /** After each periodic greedy evaluation (`evalEvery`). */
  onEval?(result: EvalSummary, stats: RunStats): void;
}

/** One periodic evaluation: whole episodes of the greedy policy on separate env copies. */
export interface EvalSummary {
  meanReward: number;
  meanLength: number;
  episodes: number;
  /** True when it beat every earlier evaluation of the run (and was saved as `best/`). */
  best: boolean;
}

/** What the runner needs: the resolved config, the learner, counters and the stop rule. */
export interface TrainingContext {
  config: TrainConfig;
  netSpec: NetSpec;
  learner: Learner;
  /** The merged normalisation statistics, published after the parameters; absent without normalisation. */
  normalizer?: Normalizer | null;
  stats: RunStats;
  callbacks: TrainCallbacks;
  /** The mean-100 reward that ends training, if any. */
  stopReward: number | null;
  /** True once the user asked to stop (Ctrl-C). */
  interrupted(): boolean;
}

export type StopReason = 'solved' | 'max-steps' | 'max-seconds' | 'interrupted';

/** Whether the run reached its stop reward: by the greedy evaluation where it evaluates periodically, else by mean-100. */
export function isSolved(ctx: Pick<TrainingContext, 'config' | 'stats' | 'stopReward'>): boolean {
  return ctx.stopReward !== null && ctx.stats.solved(ctx.stopReward, ctx.config.evalEvery !== null);
}

/** The first stop rule that holds, or null: solved, then the step and time budgets, then Ctrl-C. */
export function stopReason(ctx: TrainingContext): StopReason | null {
  const { config, stats } = ctx;
  if (isSolved(ctx)) return 'solved';
  if (config.maxSteps !== null && stats.envSteps >= config.maxSteps) return 'max-steps';
  if (config.maxSeconds !== null && stats.sessionSeconds >= config.maxSeconds) return 'max-seconds';
  if (ctx.interrupted()) return 'interrupted';
  return null;
}
