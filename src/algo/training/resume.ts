/**
 * What `--resume` reads before a run starts (SB3's `load` with `reset_num_timesteps=False`): the
 * checkpoint, its config under the options given, and the checks that the run may go on where it
 * is asked to save.
 */
import { resolve as resolvePath } from 'node:path';
import { CheckpointError, loadCheckpoint, resolveCheckpointPath, type Checkpoint } from '../../io/checkpoint.js';
import { holdsRun, latestSnapshot, storeOf } from '../../io/checkpoint-store.js';
import type { TrainConfig } from '../config/config.js';
import { checkpointConfig } from './checkpoint-config.js';
import { resolveConfig } from './resolve-config.js';
import type { TrainingContext } from './training-context.js';

/** A checkpoint already read (the browser page's upload), and the name errors and logs give it. */
export interface LoadedCheckpoint {
  checkpoint: Checkpoint;
  name: string;
}

/** A run continued from a checkpoint. */
export interface ResumedRun {
  checkpoint: Checkpoint;
  /** The checkpoint's folder, as given. */
  path: string;
  /** The line saying that a maxSteps given replaces the run's, or null where none was given. */
  maxStepsNote: string | null;
}

/**
 * The config a run trains with (`given` over the defaults, or over the config `resume` was saved
 * with, maxSeconds excepted) and the checkpoint it continues, or null for a new run. `resume` is a
 * checkpoint path, or a checkpoint already read, which belongs to no folder. A resumed run saves
 * to the folder it was resumed from unless `given.checkpoint` names another.
 * @throws ConfigError for an invalid config; CheckpointError for a checkpoint folder that already
 *   holds a run (a new run), or a checkpoint that cannot be resumed as asked: missing or corrupt,
 *   of another env or preset, not the latest of its folder, or already at the maxSteps it keeps
 *   when no new one is given.
 */
export function loadResume(given: Partial<TrainConfig>, resume: string | LoadedCheckpoint | undefined): { config: TrainConfig; resumed: ResumedRun | null } {
  if (resume === undefined) {
    const config = resolveConfig(given);
    if (config.checkpoint !== null && holdsRun(config.checkpoint)) {
      throw new CheckpointError(`checkpoint folder ${config.checkpoint} already holds a run; continue it with --resume ${config.checkpoint}, or choose another folder`);
    }
    return { config, resumed: null };
  }
  const path = typeof resume === 'string' ? resolveCheckpointPath(resume) : resume.name;
  const checkpoint = typeof resume === 'string' ? loadCheckpoint(path) : resume.checkpoint;
  const { maxSeconds: _, ...savedConfig } = checkpointConfig(checkpoint, path);
  if (given.env !== undefined && given.env !== savedConfig.env) {
    throw new CheckpointError(`checkpoint ${path}: trained on ${savedConfig.env}, cannot resume on ${given.env}`);
  }
  // The saved values lie over any preset's, so another preset would change only the name.
  if (given.preset !== undefined && given.preset !== savedConfig.preset) {
    throw new CheckpointError(
      `checkpoint ${path}: trained with preset ${savedConfig.preset ?? 'none'}, and a resumed run keeps its saved values; pass the keys to change as flags instead of --preset ${given.preset}`,
    );
  }
  const replaced = given.maxSteps !== undefined && given.maxSteps !== savedConfig.maxSteps;
  const maxStepsNote = replaced ? `maxSteps ${given.maxSteps ?? 'none'} given: it replaces the run's ${savedConfig.maxSteps ?? 'none'}` : null;
  // Saves go to the folder resumed from (or --checkpoint), not to wherever the run first saved.
  const store = typeof resume === 'string' ? storeOf(path) : null;
  const config = resolveConfig(savedConfig, { checkpoint: store ?? savedConfig.checkpoint }, given);
  const target = config.checkpoint;
  if (target !== null && holdsRun(target)) {
    if (target !== store) {
      throw new CheckpointError(`checkpoint folder ${target} already holds another run; resume into an empty folder or into the one resumed from`);
    }
    if (latestSnapshot(store) !== resolvePath(path)) {
      throw new CheckpointError(
        `checkpoint ${path} is not the latest of ${store} (${latestSnapshot(store)}): saving there would overwrite that run's later snapshots; ` +
          'resume the latest, or pass --checkpoint with a new folder to branch off',
      );
    }
  }
  const envSteps = checkpoint.counters.envSteps;
  if (given.maxSteps === undefined && config.maxSteps !== null && envSteps >= config.maxSteps) {
    throw new CheckpointError(`checkpoint ${path}: the run has reached its maxSteps ${config.maxSteps} (at ${envSteps} env steps); give --max-steps N above ${envSteps} to train on`);
  }
  return { config, resumed: { checkpoint, path, maxStepsNote } };
}

/** Tells the run's log where a resumed run goes on from (after `stats` took the checkpoint's counters). */
export function logResume(resumed: ResumedRun, { config, callbacks, stats }: Pick<TrainingContext, 'config' | 'callbacks' | 'stats'>): void {
  const { path, maxStepsNote } = resumed;
  if (maxStepsNote !== null) callbacks.onLog?.(`${maxStepsNote}${config.lrSchedule === 'linear' ? ', where the linear lr schedule now reaches 0' : ''}`);
  callbacks.onLog?.(`resuming ${path} at ${stats.envSteps} steps, ${stats.episodes} episodes${config.maxSteps === null ? '' : ` of ${config.maxSteps}`}`);
}
