import type { Checkpoint } from '../../io/checkpoint.js';
import { saveToStore } from '../../io/checkpoint-store.js';
import type { TrainConfig } from '../config/config.js';
import { nextMultiple } from './periodic-evaluation.js';
import type { RunStats } from './run-stats.js';
import type { TrainCallbacks } from './training-context.js';

export interface PeriodicCheckpointOptions {
  config: Pick<TrainConfig, 'saveEvery' | 'checkpoint' | 'keepCheckpoints'>;
  stats: RunStats;
  /** The running training as a checkpoint. */
  snapshot(): Checkpoint;
}

/**
 * Stable-Baselines3's CheckpointCallback: every `saveEvery` env steps (after an update), saves a
 * snapshot to the checkpoint folder as `step-<N>/`, keeping the newest `keepCheckpoints`
 * (io/checkpoint-store.ts). Never saves where `saveEvery` is null; resolveConfig refuses a
 * `saveEvery` without a checkpoint folder.
 */
export function periodicCheckpoint({ config, stats, snapshot }: PeriodicCheckpointOptions): TrainCallbacks {
  let nextSaveAt = nextMultiple(stats.envSteps, config.saveEvery);
  return {
    onUpdate: () => {
      if (stats.envSteps < nextSaveAt) return;
      saveToStore(config.checkpoint!, snapshot(), config.keepCheckpoints);
      nextSaveAt = nextMultiple(stats.envSteps, config.saveEvery);
    },
  };
}
