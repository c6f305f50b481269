import { registerAtariEnvs } from '../envs/atari/index.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { playCheckpoint, type PlayResult } from './play.js';

export interface EvalOptions {
  episodes: number;
  seed?: number;
  /** Sample from the policy instead of taking its most probable action. */
  stochastic?: boolean;
}

export type EvalResult = PlayResult;

/** Plays whole episodes with a checkpoint's policy (greedy by default, as SB3's evaluate_policy). */
export function evaluateCheckpoint(path: string, options: EvalOptions): EvalResult {
  const checkpoint = loadCheckpoint(path);
  registerAtariEnvs();
  return playCheckpoint(checkpoint, { episodes: options.episodes, seed: options.seed ?? 0, stochastic: options.stochastic }, path);
}
