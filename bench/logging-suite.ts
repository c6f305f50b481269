/**
 * What `--logdir` costs: CartPole-v1 A2C (one thread, so both arms do identical work for a seed)
 * for a fixed number of env steps without and with TensorBoard + metrics.csv logging, in
 * alternating order (AB, BA, ...) so that drift in the machine's load falls on both arms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { formatTable, type Cell } from './table.js';
import { round } from './training-runs.js';

export interface LoggingSuiteOptions {
  pairs: number;
  steps: number;
}

export interface LoggingPair {
  withoutStepsPerS: number;
  withStepsPerS: number;
}

export interface LoggingReport {
  env: string;
  mode: string;
  steps: number;
  pairs: LoggingPair[];
  medianWithoutStepsPerS: number;
  medianWithStepsPerS: number;
  /** Median over pairs of 1 - with / without, in percent (a paired comparison: each pair shares the machine's load of its moment). */
  overheadPercent: number;
}

const ENV = 'CartPole-v1';
const MODE = 'a2c';
/** Never reached: every run goes the full step budget. */
const UNREACHABLE_REWARD = 1e9;

async function stepsPerSecond(steps: number, logdir: string | null): Promise<number> {
  const result = await new A3C({ env: ENV, mode: MODE, seed: 0, maxSteps: steps, stopReward: UNREACHABLE_REWARD, logdir }).learn();
  return result.stepsPerSecond;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function runLoggingSuite(options: LoggingSuiteOptions, log: (line: string) => void): Promise<LoggingReport> {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-bench-logging-'));
  const pairs: LoggingPair[] = [];
  try {
    for (let i = 0; i < options.pairs; i++) {
      const logdir = join(dir, `pair-${i}`);
      let withoutStepsPerS: number;
      let withStepsPerS: number;
      if (i % 2 === 0) {
        withoutStepsPerS = await stepsPerSecond(options.steps, null);
        withStepsPerS = await stepsPerSecond(options.steps, logdir);
      } else {
        withStepsPerS = await stepsPerSecond(options.steps, logdir);
        withoutStepsPerS = await stepsPerSecond(options.steps, null);
      }
      pairs.push({ withoutStepsPerS: round(withoutStepsPerS, 0), withStepsPerS: round(withStepsPerS, 0) });
      log(`logging pair ${i + 1}/${options.pairs}: without ${round(withoutStepsPerS, 0)} steps/s, with --logdir ${round(withStepsPerS, 0)} steps/s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const medianWithoutStepsPerS = median(pairs.map((p) => p.withoutStepsPerS));
  const medianWithStepsPerS = median(pairs.map((p) => p.withStepsPerS));
  return {
    env: ENV,
    mode: MODE,
    steps: options.steps,
    pairs,
    medianWithoutStepsPerS,
    medianWithStepsPerS,
    overheadPercent: round(median(pairs.map((p) => 100 * (1 - p.withStepsPerS / p.withoutStepsPerS))), 2),
  };
}

export function loggingTables(report: LoggingReport): string[] {
  const rows: Cell[][] = report.pairs.map((p, i) => [i + 1, p.withoutStepsPerS, p.withStepsPerS]);
  // The median row is of each arm; the overhead in the title is the median of the pairs' overheads.
  rows.push(['median', report.medianWithoutStepsPerS, report.medianWithStepsPerS]);
  return [
    formatTable(`--logdir cost: ${report.env} ${report.mode}, ${report.steps} env steps per run; overhead ${report.overheadPercent}%`, ['pair', 'steps/s without', 'steps/s with --logdir'], rows),
  ];
}
