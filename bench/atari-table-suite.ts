/**
 * `npm run bench -- atari-table`: the default command on six Atari games for 10M env steps each,
 * one seed, then a greedy `a3c eval` of 30 episodes of each final checkpoint, and the table of
 * raw whole-game scores beside the A3C paper's and rl-zoo's A2C at the same budget.
 *
 * Each game trains in `<dir>/<game>-seed<N>/` (logs/, checkpoint/, eval.json). A game whose
 * checkpoint folder holds a run is resumed (`--resume`), one that reached its steps is not
 * trained again, and an eval.json of the final checkpoint is kept: run the suite again to finish
 * the table across sittings. A finished game is archived, thinned, in docs/atari-table/ (the
 * repository keeps the project's results, not their checkpoints). `--from-csv DIR` builds the
 * table from such folders without training.
 * Every game trains past Pong's solved bound (`--stop-reward 1e9`), so that all stop at 10M.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { holdsRun, latestSnapshot } from '../src/io/checkpoint-store.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { METRICS_CSV_HEADER, METRICS_CSV_NAME, readMetricsCsv, type MetricRow } from '../src/io/metrics-csv.js';
import { evalChild, trainChild } from './cli-child.js';
import { formatTable } from './table.js';
import { round } from './training-runs.js';

/** A game and the scores it is judged against at 10M env steps (40M frames). */
export interface AtariGame {
  env: string;
  /** Mnih et al. 2016, Fig. 3, 16 threads, feed-forward, read off the curves (RLlib's rl-experiments); null where not read. */
  paper: number | null;
  /** rl-baselines3-zoo benchmark.md, A2C at 10M steps. */
  zooA2c: number;
}

export const ATARI_TABLE_GAMES: readonly AtariGame[] = [
  { env: 'BreakoutNoFrameskip-v4', paper: 150, zooA2c: 279.8 },
  { env: 'SpaceInvadersNoFrameskip-v4', paper: 600, zooA2c: 627.2 },
  { env: 'BeamRiderNoFrameskip-v4', paper: 3000, zooA2c: 2890.3 },
  { env: 'QbertNoFrameskip-v4', paper: 1000, zooA2c: 3882.3 },
  { env: 'SeaquestNoFrameskip-v4', paper: null, zooA2c: 1721.5 },
  { env: 'PongNoFrameskip-v4', paper: null, zooA2c: 17.3 },
];
export const ATARI_TABLE_STEPS = 10_000_000;
export const ATARI_TABLE_EVAL_EPISODES = 30;
const SAVE_EVERY_STEPS = 500_000;
/** Rows further apart than this are a pause between sittings of a resumed run, not training time. */
const MAX_ROW_GAP_S = 300;
const EVAL_FILE = 'eval.json';
/** The tags an archived game keeps in full: every episode's raw score and every greedy evaluation. */
const ARCHIVE_TAGS: ReadonlySet<string> = new Set(['reward', 'episode_steps', 'eval_reward', 'eval_episode_steps']);
/** An archived game keeps a row at least this often, so that its training minutes stay exact. */
const ARCHIVE_ROW_EVERY_S = 60;

export interface AtariTableOptions {
  games: readonly AtariGame[];
  seed: number;
  maxSteps: number;
  evalEpisodes: number;
  /** Where the game folders are. */
  dir: string;
  /** Where each finished game is archived for the table (`archiveGame`); null: nowhere. */
  archiveDir: string | null;
}

/** A greedy evaluation of a game's final checkpoint (eval.json). */
export interface EvalRecord {
  checkpoint: string;
  envSteps: number;
  episodes: number;
  meanReward: number;
}

export interface AtariTableRow {
  env: string;
  /** Null for a game with no folder yet. */
  seed: number | null;
  /** Null when the game has no run folder with rows yet. */
  envSteps: number | null;
  /** Training time: wall time between rows, pauses between sittings left out. */
  minutes: number | null;
  envStepsPerS: number | null;
  /** The last logged reward_100: mean raw whole-game score of the last 100 episodes. */
  reward100: number | null;
  eval: EvalRecord | null;
  paper: number | null;
  zooA2c: number;
}

export interface AtariTableReport {
  dir: string;
  cpuModel: string | null;
  rows: AtariTableRow[];
}

const gameDir = (dir: string, env: string, seed: number) => join(dir, `${env}-seed${seed}`);

/** The metrics rows of a game folder's run (one run folder under logs/, appended to by each sitting). */
function runRows(folder: string): MetricRow[] {
  const run = runFolder(folder);
  return run === null ? [] : readMetricsCsv(join(run, METRICS_CSV_NAME));
}

/** The one run folder under a game folder's logs/, or null when it has none yet. */
function runFolder(folder: string): string | null {
  const logs = join(folder, 'logs');
  if (!existsSync(logs)) return null;
  const runs = readdirSync(logs).filter((run) => existsSync(join(logs, run, METRICS_CSV_NAME)));
  if (runs.length > 1) throw new Error(`${logs}: ${runs.length} run folders; a game folder holds one run (resumed runs append to it)`);
  return runs.length === 0 ? null : join(logs, runs[0]);
}

/** Seconds of training in `rows`: the sum of the gaps between consecutive rows, pauses over MAX_ROW_GAP_S left out. */
export function trainingSeconds(rows: readonly MetricRow[]): number {
  let seconds = 0;
  for (let i = 1; i < rows.length; i++) {
    const gap = rows[i].wallTimeS - rows[i - 1].wallTimeS;
    if (gap > 0 && gap <= MAX_ROW_GAP_S) seconds += gap;
  }
  return seconds;
}

/**
 * The rows of a run worth keeping in the repository: every row of `ARCHIVE_TAGS`, `reward_100`
 * where it changed, the first and the last row, and a row before each gap that would otherwise
 * exceed `ARCHIVE_ROW_EVERY_S`. A 10M-step run logs ~15 scalars per update (tens of MB); what is
 * kept is a few hundred KB, and gives the same table row (`tableRow`) and `a3c plot` curves.
 */
export function archiveRows(rows: readonly MetricRow[]): MetricRow[] {
  const kept: MetricRow[] = [];
  let lastReward100 = Number.NaN;
  rows.forEach((row, i) => {
    const last = kept[kept.length - 1];
    const next = rows[i + 1];
    const reward100Changed = row.tag === 'reward_100' && row.value !== lastReward100;
    if (row.tag === 'reward_100') lastReward100 = row.value;
    if (last === undefined || next === undefined || ARCHIVE_TAGS.has(row.tag) || reward100Changed || next.wallTimeS - last.wallTimeS > ARCHIVE_ROW_EVERY_S) kept.push(row);
  });
  return kept;
}

/**
 * Copies a game folder's run, thinned by `archiveRows`, and its eval.json to
 * `archiveDir/<game>-seed<N>/` in the same layout, so that `--from-csv archiveDir` builds its row.
 * Returns the archived game folder.
 * @throws Error when the game folder has no run.
 */
export function archiveGame(folder: string, archiveDir: string): string {
  const run = runFolder(folder);
  if (run === null) throw new Error(`${folder}: no run to archive (no logs/<run>/${METRICS_CSV_NAME})`);
  const target = join(archiveDir, basename(folder));
  const targetRun = join(target, 'logs', basename(run));
  mkdirSync(targetRun, { recursive: true });
  const lines = archiveRows(readMetricsCsv(join(run, METRICS_CSV_NAME))).map((r) => `${r.step},${r.wallTimeS},${r.tag},${r.value}`);
  writeFileSync(join(targetRun, METRICS_CSV_NAME), `${[METRICS_CSV_HEADER, ...lines].join('\n')}\n`);
  const evalPath = join(folder, EVAL_FILE);
  if (existsSync(evalPath)) writeFileSync(join(target, EVAL_FILE), readFileSync(evalPath));
  return target;
}

/** A game's table row from its folder's CSV and eval.json (nulls for what is not there yet). */
export function tableRow(dir: string, game: AtariGame, seed: number): AtariTableRow {
  const folder = gameDir(dir, game.env, seed);
  const rows = runRows(folder);
  const evalPath = join(folder, EVAL_FILE);
  const evalRecord = existsSync(evalPath) ? (JSON.parse(readFileSync(evalPath, 'utf8')) as EvalRecord) : null;
  const base = { env: game.env, seed, eval: evalRecord, paper: game.paper, zooA2c: game.zooA2c };
  if (rows.length === 0) return { ...base, envSteps: null, minutes: null, envStepsPerS: null, reward100: null };
  const rewards = rows.filter((row) => row.tag === 'reward_100');
  const seconds = trainingSeconds(rows);
  // A loop, not Math.max(...): a 10M-step run has more rows than a call takes arguments.
  const envSteps = rows.reduce((max, row) => Math.max(max, row.step), 0);
  return {
    ...base,
    envSteps,
    minutes: round(seconds / 60, 1),
    envStepsPerS: seconds > 0 ? Math.round((envSteps - rows[0].step) / seconds) : null,
    reward100: rewards.length === 0 ? null : round(rewards[rewards.length - 1].value, 1),
  };
}

/** The seeds of a game's folders in `dir` (`<game>-seed<N>/`), ascending. */
function seedsIn(dir: string, env: string): number[] {
  const pattern = new RegExp(`^${env}-seed(\\d+)$`);
  return readdirSync(dir)
    .map((name) => pattern.exec(name)?.[1])
    .filter((seed): seed is string => seed !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The table of every game folder in `dir` without training: a row per seed folder of each game,
 * and an empty row for a game with none.
 * @throws Error when `dir` does not exist, or a game folder holds more than one run.
 */
export function atariTableFromCsv(dir: string, games: readonly AtariGame[]): AtariTableReport {
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder; expected the folder of an atari-table run (its <game>-seed<N>/ folders)`);
  const rows = games.flatMap((game) => {
    const seeds = seedsIn(dir, game.env);
    if (seeds.length > 0) return seeds.map((seed) => tableRow(dir, game, seed));
    return [{ env: game.env, seed: null, eval: null, paper: game.paper, zooA2c: game.zooA2c, envSteps: null, minutes: null, envStepsPerS: null, reward100: null }];
  });
  return { dir, cpuModel: cpus()[0]?.model ?? null, rows };
}

/**
 * Trains (or resumes) each game to `maxSteps`, evaluates its final checkpoint once, archives it
 * (`archiveGame`), and reports the table. A game already at `maxSteps` with an eval.json of its
 * final checkpoint is only read.
 * @throws Error from a training or evaluation child that fails, with its last lines.
 */
export async function runAtariTableSuite(options: AtariTableOptions, log: (line: string) => void): Promise<AtariTableReport> {
  for (const game of options.games) {
    const folder = gameDir(options.dir, game.env, options.seed);
    const checkpoint = join(folder, 'checkpoint');
    const resumable = holdsRun(checkpoint);
    const stepsDone = resumable ? loadCheckpoint(checkpoint).counters.envSteps : 0;
    if (stepsDone < options.maxSteps) {
      const args = resumable
        ? ['train', '--resume', checkpoint, '--max-steps', String(options.maxSteps), '--json']
        : ['train', '--env', game.env, '--seed', String(options.seed), '--max-steps', String(options.maxSteps), '--stop-reward', '1e9',
           '--logdir', join(folder, 'logs'), '--checkpoint', checkpoint, '--save-every', String(SAVE_EVERY_STEPS), '--json'];
      log(`a3c ${args.join(' ')}`);
      await trainChild(args, log);
    }
    const latest = latestSnapshot(checkpoint);
    if (latest === null) throw new Error(`${checkpoint}: no checkpoint after training ${game.env}`);
    const evalPath = join(folder, EVAL_FILE);
    const done = existsSync(evalPath) ? (JSON.parse(readFileSync(evalPath, 'utf8')) as EvalRecord) : null;
    const envSteps = loadCheckpoint(latest).counters.envSteps;
    if (done?.checkpoint !== latest && envSteps >= options.maxSteps) {
      log(`a3c eval --checkpoint ${latest} --episodes ${options.evalEpisodes}`);
      const meanReward = await evalChild(latest, options.evalEpisodes);
      const record: EvalRecord = { checkpoint: latest, envSteps, episodes: options.evalEpisodes, meanReward: round(meanReward, 1) };
      writeFileSync(evalPath, `${JSON.stringify(record, null, 2)}\n`);
      log(`${game.env}: greedy eval ${record.meanReward} over ${record.episodes} episodes at ${envSteps} env steps`);
    }
    if (options.archiveDir !== null && envSteps >= options.maxSteps) log(`${game.env}: archived in ${archiveGame(folder, options.archiveDir)}`);
  }
  return atariTableFromCsv(options.dir, options.games);
}

export function atariTableTables(report: AtariTableReport): string[] {
  return [
    formatTable(
      `Atari, default command (data mode), raw whole-game scores; ${report.dir}; CPU ${report.cpuModel ?? 'unknown'}`,
      ['game', 'seed', 'env steps', 'minutes', 'env steps/s', 'mean-100', 'greedy eval', 'A3C paper (16 threads)', 'rl-zoo A2C'],
      report.rows.map((r) => [
        r.env, r.seed, r.envSteps, r.minutes, r.envStepsPerS, r.reward100,
        r.eval === null ? null : `${r.eval.meanReward} (${r.eval.episodes} ep.)`, r.paper, r.zooA2c,
      ]),
    ),
  ];
}
