/**
 * `npm run bench -- pong-learn`: how fast the default Pong command learns. Runs
 * `a3c train --env PongNoFrameskip-v4` (with --seed, --max-seconds, --logdir, --checkpoint and
 * optionally --preset) as a child process, passes its progress on, then reads the run's
 * metrics.csv: for each reward_100 milestone (-15, 0, 10, 18: Pong's solved bound) the env steps
 * and minutes at which it was first reached (and, for a run with --eval-every, at which eval_reward
 * first reached it), and the final steps, minutes, reward_100 and env steps/s. `--from-csv PATH` reads a finished run's metrics.csv instead of training, so that the
 * table of any run can be reproduced.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RUN_CONFIG_FILE } from '../src/algo/training/run-folder.js';
import type { TrainConfig } from '../src/algo/config/config.js';
import { METRICS_CSV_NAME, readMetricsCsv, type MetricRow } from '../src/io/metrics-csv.js';
import { trainChild, type TrainSummary } from './cli-child.js';
import { formatTable, type Cell } from './table.js';
import { round } from './training-runs.js';

export const PONG_LEARN_ENV = 'PongNoFrameskip-v4';
/** The suite's default training time: two hours. */
export const PONG_LEARN_SECONDS = 7200;
/** reward_100 milestones: leaving random play (-21) behind, even, winning, Pong's solved bound (18). */
export const REWARD_MILESTONES: readonly number[] = [-15, 0, 10, 18];

/** When a milestone was first reached by reward_100, and by a periodic greedy evaluation's eval_reward; nulls when it was not. */
export interface Milestone {
  reward100: number;
  envSteps: number | null;
  /** From the run's first logged scalar (start-up excluded), wall time. */
  minutes: number | null;
  evalEnvSteps: number | null;
  evalMinutes: number | null;
}

/** What a run's metrics.csv says of its learning. */
export interface LearningSummary {
  milestones: Milestone[];
  /** Whether the run evaluated periodically (`--eval-every`: eval_reward rows). */
  evaluated: boolean;
  /** The last row's env steps and minutes, the last reward_100 (null before the first episode) and env steps/s over the rows. */
  final: { envSteps: number; minutes: number; reward100: number | null; envStepsPerS: number; evalReward: number | null };
}

/**
 * The milestones and final figures of a run's metrics.csv rows (in file order). Minutes count
 * wall time from the first row, logged about a second after the agents start acting, so start-up
 * is excluded; a resumed run's pause counts.
 * @throws Error when there are no rows.
 */
export function summarizeLearning(rows: readonly MetricRow[], milestones: readonly number[] = REWARD_MILESTONES): LearningSummary {
  if (rows.length === 0) throw new Error(`no rows: expected the scalars of a run (${METRICS_CSV_NAME} of a --logdir run folder)`);
  const [first, last] = [rows[0], rows[rows.length - 1]];
  const minutesAt = (row: MetricRow) => round((row.wallTimeS - first.wallTimeS) / 60, 1);
  const rewards = rows.filter((row) => row.tag === 'reward_100');
  const evals = rows.filter((row) => row.tag === 'eval_reward');
  const seconds = last.wallTimeS - first.wallTimeS;
  const lastValue = (of: MetricRow[]) => (of.length === 0 ? null : round(of[of.length - 1].value, 2));
  return {
    milestones: milestones.map((reward100) => {
      const reached = rewards.find((row) => row.value >= reward100);
      const evalReached = evals.find((row) => row.value >= reward100);
      return {
        reward100,
        envSteps: reached?.step ?? null,
        minutes: reached === undefined ? null : minutesAt(reached),
        evalEnvSteps: evalReached?.step ?? null,
        evalMinutes: evalReached === undefined ? null : minutesAt(evalReached),
      };
    }),
    evaluated: evals.length > 0,
    final: {
      envSteps: last.step,
      minutes: minutesAt(last),
      reward100: lastValue(rewards),
      envStepsPerS: seconds > 0 ? Math.round((last.step - first.step) / seconds) : 0,
      evalReward: lastValue(evals),
    },
  };
}

/** The keys of the run's config that the tables name. */
export type RunConfigSummary = Pick<TrainConfig, 'env' | 'mode' | 'preset' | 'seed'>;

export interface PongLearnReport extends LearningSummary {
  /** The metrics.csv read. */
  metricsCsv: string;
  /** From the run folder's run.json, where there is one beside the CSV. */
  run: RunConfigSummary | null;
  /** The CPU of the machine running the suite (that of the run only when it trained here). */
  cpuModel: string | null;
  /** The training child's own summary; null with --from-csv. */
  train: TrainSummary | null;
}

/**
 * The report of a finished run from its metrics.csv, and its run.json where it lies beside it.
 * @throws Error naming the file when it is missing or malformed, or holds no rows.
 */
export function pongLearnFromCsv(metricsCsv: string, trained: TrainSummary | null = null): PongLearnReport {
  if (!existsSync(metricsCsv)) throw new Error(`${metricsCsv}: no such file; expected the ${METRICS_CSV_NAME} of a --logdir run folder`);
  const rows = readMetricsCsv(metricsCsv);
  let summary: LearningSummary;
  try {
    summary = summarizeLearning(rows);
  } catch (error) {
    throw new Error(`${metricsCsv}: ${(error as Error).message}`);
  }
  const configPath = join(dirname(metricsCsv), RUN_CONFIG_FILE);
  // A run folder's resolved config; one saved before presets existed has no preset.
  const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as TrainConfig) : null;
  const run = config === null ? null : { env: config.env, mode: config.mode, preset: config.preset ?? null, seed: config.seed };
  return { metricsCsv, run, cpuModel: cpus()[0]?.model ?? null, train: trained, ...summary };
}

export interface PongLearnOptions {
  env: string;
  seed: number;
  maxSeconds: number;
  /** Passed to `a3c train --preset`; null: the env's defaults. */
  preset: string | null;
  /** Where the run folder and the checkpoints go; null: a new temporary folder. */
  logdir: string | null;
  checkpoint: string | null;
}

/**
 * Trains `a3c train --env ENV` in a child process (its progress lines passed to `log` once a
 * minute, its other lines as they come), then reports from the run folder it created in `logdir`.
 * @throws Error with the end of the child's stderr when it fails, or when no run folder appeared.
 */
export async function runPongLearnSuite(options: PongLearnOptions, log: (line: string) => void): Promise<PongLearnReport> {
  const temp = options.logdir === null || options.checkpoint === null ? mkdtempSync(join(tmpdir(), 'a3c-pong-learn-')) : null;
  const logdir = options.logdir ?? join(temp!, 'runs');
  const checkpoint = options.checkpoint ?? join(temp!, 'ckpt');
  const before = new Set(existsSync(logdir) ? readdirSync(logdir) : []);
  const args = ['train', '--env', options.env, '--seed', String(options.seed), '--max-seconds', String(options.maxSeconds), '--logdir', logdir, '--checkpoint', checkpoint, '--json'];
  if (options.preset !== null) args.push('--preset', options.preset);
  log(`a3c ${args.join(' ')}`);
  const trained = await trainChild(args, log);
  const runDirs = readdirSync(logdir).filter((name) => !before.has(name));
  if (runDirs.length !== 1) throw new Error(`${logdir}: expected the one run folder the training created, found ${runDirs.length} new entries (${runDirs.join(', ')})`);
  return pongLearnFromCsv(join(logdir, runDirs[0], METRICS_CSV_NAME), trained);
}

function minutesCell(minutes: number | null): Cell {
  return minutes === null ? 'not reached' : minutes;
}

export function pongLearnTables(report: PongLearnReport): string[] {
  const run = report.run === null ? 'run' : `${report.run.env} ${report.run.mode}${report.run.preset === null ? '' : ` --preset ${report.run.preset}`} seed ${report.run.seed}`;
  const { final, evaluated } = report;
  const byEval = <T>(cells: T[], evalCells: T[]) => (evaluated ? [...cells, ...evalCells] : cells);
  return [
    formatTable(
      `${run}: when ${evaluated ? 'reward_100 and eval_reward' : 'reward_100'} first reached each milestone (${report.metricsCsv})`,
      byEval([evaluated ? 'reward >=' : 'reward_100 >=', 'env steps', 'minutes'], ['eval env steps', 'eval minutes']),
      report.milestones.map((m) =>
        byEval([String(m.reward100), m.envSteps ?? 'not reached', minutesCell(m.minutes)], [m.evalEnvSteps ?? 'not reached', minutesCell(m.evalMinutes)]),
      ),
    ),
    formatTable(
      `${run}: at the end; CPU ${report.cpuModel ?? 'unknown'}`,
      byEval(['env steps', 'minutes', 'reward_100', 'env steps/s'], ['eval_reward']),
      [byEval([final.envSteps, final.minutes, final.reward100, final.envStepsPerS], [final.evalReward])],
    ),
  ];
}
