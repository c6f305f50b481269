/**
 * What a run that fails (an exception in the trainer loop, a transport that gives up, a
 * NonFiniteUpdateError) leaves in its checkpoint folder: its last parameters when they are finite,
 * so that `--resume` goes on from there; never non-finite ones over a good `latest`.
 */
import { basename } from 'node:path';
import type { Checkpoint } from '../../io/checkpoint.js';
import { latestSnapshot, saveToStore } from '../../io/checkpoint-store.js';
import type { TrainConfig } from '../config/config.js';

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * The part of `checkpoint` that holds a NaN or an infinity ("parameters", "optimizer state
 * square_avg", "normalisation statistics"), or null when every number in it is finite.
 */
export function nonFinitePart(checkpoint: Checkpoint): string | null {
  if (!allFinite(checkpoint.params)) return 'parameters';
  for (const [name, buffer] of Object.entries(checkpoint.optimizer.buffers)) {
    if (!allFinite(buffer)) return `optimizer state ${name}`;
  }
  const normalization = checkpoint.normalization ?? null;
  if (normalization !== null) {
    const { obs, ret } = normalization;
    if (![obs, ret].every((m) => Number.isFinite(m.count) && allFinite(m.mean) && allFinite(m.var))) return 'normalisation statistics';
  }
  return null;
}

export interface FailureSaveOptions {
  config: Pick<TrainConfig, 'checkpoint' | 'keepCheckpoints'>;
  /**
   * False when the run made no update in this process (it failed at start-up): the folder's
   * `latest`, if any, already holds its parameters, and an empty folder stays free for a new run.
   */
  progressed: boolean;
  /** The failed training as a checkpoint: the learner's parameters, which a failed update never changed. */
  snapshot(): Checkpoint;
  /** Where the one line saying what was saved goes (the run's onLog). */
  log(line: string): void;
}

/**
 * After `error` ended a run with a checkpoint folder: saves the run's last parameters there as the
 * new `latest` (io/checkpoint-store.ts), and says so in one line, unless the run made no progress
 * or any number in the snapshot is not finite (then `latest` stays as it was, and the line says
 * why). Never throws, so that `error` still ends the run: a save that fails is one line too.
 * Returns the snapshot's path, or null where none was saved.
 */
export function saveAfterFailure(error: Error, { config, progressed, snapshot, log }: FailureSaveOptions): string | null {
  const dir = config.checkpoint;
  if (dir === null || !progressed) return null;
  const failed = `the run failed (${error.name})`;
  try {
    const checkpoint = snapshot();
    const part = nonFinitePart(checkpoint);
    if (part !== null) {
      const latest = latestSnapshot(dir);
      log(`${failed} with non-finite ${part}: not saved, so ${latest === null ? `${dir} holds no checkpoint` : `${dir}/latest still names ${basename(latest)}`}`);
      return null;
    }
    const path = saveToStore(dir, checkpoint, config.keepCheckpoints);
    const { envSteps, updates } = checkpoint.counters;
    log(`${failed}: saved its last parameters (${envSteps} env steps, ${updates} updates) to ${path}; continue with --resume ${dir}`);
    return path;
  } catch (err) {
    log(`${failed}, and saving its checkpoint to ${dir} failed too: ${(err as Error).message}`);
    return null;
  }
}
