import type { Checkpoint } from '../../io/checkpoint.js';
import { saveToStore } from '../../io/checkpoint-store.js';
import { TRANSPORT_SAVE_EVERY, type TrainConfig } from '../config/config.js';
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
 * `saveEvery` without a checkpoint folder, and sets TRANSPORT_SAVE_EVERY for a run with a
 * transport and a checkpoint folder that gives none.
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

/**
 * The line a run over a transport without a checkpoint folder starts with, or null for any other
 * run: such a run spans hosts and lives long, and a failure of its trainer would lose all of it.
 * Runs on one host keep SB3's rule (nothing saved unless asked) without a word.
 */
export function noCheckpointNote(config: Pick<TrainConfig, 'transport' | 'checkpoint'>): string | null {
  if (config.transport === null || config.checkpoint !== null) return null;
  return `no --checkpoint folder: this run keeps no checkpoint, and a trainer that fails loses its training (with --checkpoint DIR it saves every ${TRANSPORT_SAVE_EVERY} env steps)`;
}
