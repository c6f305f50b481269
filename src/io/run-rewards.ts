import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { METRICS_CSV_NAME, readMetricsCsv } from './metrics-csv.js';
import { listEventFiles, readEvents } from './tensorboard.js';

const SECONDS_PER_MINUTE = 60;

/** The tag of one finished episode's total reward, logged at the env step it ended on. */
export const REWARD_TAG = 'reward';

/** A run's episode rewards against env steps and wall time, as `plotRewardCurves` takes them. */
export interface RunRewards {
  name: string;
  steps: number[];
  rewards: number[];
  /** Minutes from the run's first reward to each (a resumed run's pause included); absent: not known. */
  minutes?: number[];
}

/**
 * Reads the `reward` scalars of a run folder from its metrics.csv, or from its event files when
 * there is no CSV. `name` is the folder's name.
 *
 * Steps must not decrease within a run: as TensorBoard does (EventAccumulator's
 * purge_orphaned_data), a step lower than the last one is taken as a resume from an older
 * checkpoint, and the points it supersedes (those at or after that step) are dropped.
 */
export function loadRunRewards(runDir: string): RunRewards {
  const csvPath = join(runDir, METRICS_CSV_NAME);
  let points: { step: number; value: number; wallTimeS: number }[];
  if (existsSync(csvPath)) {
    points = readMetricsCsv(csvPath).filter((row) => row.tag === REWARD_TAG);
  } else {
    const eventFiles = existsSync(runDir) ? listEventFiles(runDir) : [];
    if (eventFiles.length === 0) throw new Error(`${runDir}: no ${METRICS_CSV_NAME} and no event file; is this a run folder?`);
    points = eventFiles.flatMap((path) => readEvents(path)).filter((event) => event.tag === REWARD_TAG);
  }
  const kept = dropSupersededPoints(points);
  const start = kept[0]?.wallTimeS ?? 0;
  const minutes = kept.map((p) => (p.wallTimeS - start) / SECONDS_PER_MINUTE);
  return { name: basename(resolve(runDir)), steps: kept.map((p) => p.step), rewards: kept.map((p) => p.value), minutes };
}

function dropSupersededPoints<T extends { step: number }>(points: T[]): T[] {
  const kept: T[] = [];
  for (const point of points) {
    if (kept.length > 0 && point.step < kept[kept.length - 1].step) {
      while (kept.length > 0 && kept[kept.length - 1].step >= point.step) kept.pop();
    }
    kept.push(point);
  }
  return kept;
}
