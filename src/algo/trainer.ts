import type { Box, Discrete } from '../envs/spaces.js';
import type { AgentPool } from '../parallel/agent-pool.js';
import type { NetSpec } from '../nn/networks.js';
import type { TrainConfig } from './config.js';
import type { Learner, UpdateStats } from './learner.js';
import type { EpisodeRecord } from './n-step.js';
import type { RunStats } from './run-stats.js';

/** Hooks that extend the training loop without editing it (SB3's callbacks). */
export interface TrainCallbacks {
  /** About once a second. */
  onProgress?(stats: RunStats): void;
  onUpdate?(update: UpdateStats, stats: RunStats): void;
  onEpisodes?(episodes: EpisodeRecord[], stats: RunStats): void;
  /** Lines for the user (agent crashes, backend in use). */
  onLog?(line: string): void;
}

/** What every mode's loop needs: the resolved config, the learner, counters and the stop rule. */
export interface TrainingContext {
  config: TrainConfig;
  netSpec: NetSpec;
  learner: Learner;
  stats: RunStats;
  callbacks: TrainCallbacks;
  /** The mean-100 reward that ends training, if any. */
  stopReward: number | null;
  /** True once the user asked to stop (Ctrl-C). */
  interrupted(): boolean;
  /** The running agent threads of the parallel modes; null otherwise. */
  agents: AgentPool | null;
}

export type StopReason = 'solved' | 'max-steps' | 'max-seconds' | 'interrupted';

export function stopReason(ctx: TrainingContext): StopReason | null {
  const { config, stats } = ctx;
  if (ctx.stopReward !== null && stats.solved(ctx.stopReward)) return 'solved';
  if (config.maxSteps !== null && stats.envSteps >= config.maxSteps) return 'max-steps';
  if (config.maxSeconds !== null && stats.seconds >= config.maxSeconds) return 'max-seconds';
  if (ctx.interrupted()) return 'interrupted';
  return null;
}

export function recordEpisodes(ctx: TrainingContext, episodes: EpisodeRecord[]): void {
  if (episodes.length === 0) return;
  ctx.stats.addEpisodes(episodes);
  ctx.callbacks.onEpisodes?.(episodes, ctx.stats);
}

export function recordUpdate(ctx: TrainingContext, update: UpdateStats): void {
  ctx.stats.updates++;
  ctx.stats.trainedSamples += update.samples;
  ctx.callbacks.onUpdate?.(update, ctx.stats);
}

/** The network for an env's spaces: Lapan's Atari net for stacked frames, an MLP otherwise. */
export function netSpecFor(observationSpace: Box, actionSpace: Discrete, hidden: number[]): NetSpec {
  const shape = observationSpace.shape;
  if (shape.length === 3 && observationSpace.dtype === 'uint8') {
    return { kind: 'atari', inputShape: [shape[0], shape[1], shape[2]], numActions: actionSpace.n };
  }
  if (shape.length !== 1) throw new Error(`no network for observations of shape [${shape.join(', ')}]; expected a vector or uint8 frames [C, H, W]`);
  return { kind: 'mlp', obsSize: shape[0], numActions: actionSpace.n, hidden };
}
