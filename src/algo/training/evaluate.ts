import { prepareEnvs } from '../../envs/prepare-envs.js';
import { loadCheckpoint } from '../../io/checkpoint.js';
import { checkpointConfig } from './checkpoint-config.js';
import { playCheckpoint, type PlayResult } from './play.js';

export interface EvalOptions {
  episodes: number;
  seed?: number;
  /** Sample from the policy instead of taking its most probable action. */
  stochastic?: boolean;
}

export type EvalResult = PlayResult;

/**
 * Plays whole episodes with a checkpoint's policy (greedy by default, as SB3's evaluate_policy),
 * in the env it was trained on (importing its env module, if it has one).
 * @throws CheckpointError for a missing or corrupt checkpoint; Error when its env module cannot be imported.
 */
export async function evaluateCheckpoint(path: string, options: EvalOptions): Promise<EvalResult> {
  const checkpoint = loadCheckpoint(path);
  await prepareEnvs(checkpointConfig(checkpoint, path).envModule);
  return playCheckpoint(checkpoint, { episodes: options.episodes, seed: options.seed ?? 0, stochastic: options.stochastic }, path);
}
