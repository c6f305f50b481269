import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LATEST, SNAPSHOT_NAME, saveCheckpoint, type Checkpoint } from './checkpoint.js';

const STEP_DIGITS = 12;

export function snapshotName(envSteps: number): string {
  return `step-${String(envSteps).padStart(STEP_DIGITS, '0')}`;
}

/**
 * Saves `checkpoint` into the store `dir` as `step-<N>/`, then points `latest` at it, then deletes
 * all but the newest `keep` snapshots. Each step is atomic (the snapshot is written under a
 * temporary name and renamed, `latest` is replaced by rename), so a kill at any moment leaves
 * `latest` naming a whole snapshot. Returns the snapshot's path.
 */
export function saveToStore(dir: string, checkpoint: Checkpoint, keep: number): string {
  mkdirSync(dir, { recursive: true });
  const name = snapshotName(checkpoint.counters.envSteps);
  const path = join(dir, name);
  saveCheckpoint(path, checkpoint);
  const tmp = join(dir, `.${LATEST}.tmp-${process.pid}`);
  writeFileSync(tmp, `${name}\n`);
  renameSync(tmp, join(dir, LATEST));
  const snapshots = readdirSync(dir).filter((n) => SNAPSHOT_NAME.test(n)).sort();
  for (const old of snapshots.slice(0, Math.max(0, snapshots.length - keep))) {
    if (old !== name) rmSync(join(dir, old), { recursive: true, force: true });
  }
  return path;
}

/** In a checkpoint folder: the snapshot of the best periodic evaluation (periodic-evaluation.ts). */
export const BEST_SNAPSHOT = 'best';

/** The snapshot path `latest` names in store `dir`, or null where there is none. */
export function latestSnapshot(dir: string): string | null {
  const latest = join(dir, LATEST);
  return existsSync(latest) ? resolve(dir, readFileSync(latest, 'utf8').trim()) : null;
}

/** True when `dir` already holds a run's checkpoints: a `latest` pointer, `step-<N>/` snapshots or `best/`. */
export function holdsRun(dir: string): boolean {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
  return readdirSync(dir).some((name) => name === LATEST || name === BEST_SNAPSHOT || SNAPSHOT_NAME.test(name));
}

/** The store a snapshot path (`<store>/step-<N>` or `<store>/best`) belongs to, or null for a lone checkpoint. */
export function storeOf(snapshotPath: string): string | null {
  const name = basename(snapshotPath);
  const parent = dirname(resolve(snapshotPath));
  return (SNAPSHOT_NAME.test(name) || name === BEST_SNAPSHOT) && existsSync(join(parent, LATEST)) ? parent : null;
}
