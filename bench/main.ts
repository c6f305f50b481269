/**
 * `npm run bench [-- cartpole|pong|...] [options]`: runs a suite, prints its tables and progress on
 * stderr and one JSON document on stdout (`npm run -s bench > bench.json`: -s keeps npm's banners off it).
 *
 *   cartpole (default): each mode to CartPole-v1's solved bound, median over seeds; learner samples/s.
 *     --seeds N (3)  --max-seconds S (120, per run)  --learner-seconds S (5)
 *   pong: data and grad on PongNoFrameskip-v4 over a fixed window; learner and env server samples/s.
 *     --warmup-seconds S (10)  --window-seconds S (60)  --learner-seconds S (5)
 *   pong-profile: the default Pong command per mode and Atari backend under node --cpu-prof; ms per
 *     env step in the env servers (CPU), and per category of the agents' and trainer's stacks; the
 *     env-only ceiling of each backend.
 *     --modes LIST (data,grad,hogwild)  --backends LIST (ale-vector,python)  --warmup-seconds S (20)
 *     --window-seconds S (60)  --learner-seconds S (5: each ceiling figure)
 *   pong-learn: the default `a3c train --env PongNoFrameskip-v4` for hours; the env steps and minutes
 *     at which reward_100 (and eval_reward, for a run with --eval-every) first reached -15, 0, 10 and
 *     18, and the final figures. --from-csv reads a
 *     finished run's metrics.csv instead of training.
 *     --env ID (PongNoFrameskip-v4)  --seed N (0)  --max-seconds S (7200)  --preset NAME (none)
 *     --logdir DIR  --checkpoint DIR (a temporary folder)  --from-csv PATH
 *   atari-table: the default command on six Atari games to 10M env steps each (resumed where a
 *     game's checkpoint folder holds a run), a greedy eval of each final checkpoint, and the table
 *     of raw scores beside the A3C paper's and rl-zoo's A2C; each finished game is archived in
 *     docs/atari-table/. --from-csv DIR reads the table only (every seed folder in DIR).
 *     --games LIST (all six)  --seed N (0)  --max-steps N (10000000)  --eval-episodes N (30)
 *     --logdir DIR (runs/atari-table)  --from-csv DIR
 *   logging: what --logdir costs on CartPole-v1 (A2C, fixed steps, alternating arms).
 *     --pairs N (5)  --steps N (400000)
 *   web: env steps/s of the training page in headless Chromium against Node for the same command
 *     (CartPole-v1, data mode, 2 workers, a fixed wall time each, alternating arms); page/Node.
 *     --pairs N (5)  --max-seconds S (30, per run)
 *   multihost: env steps/s with 1, 2, 4 agents over a local Redis (one host of N threads, float32
 *     and float16 on the wire; N one-thread hosts, float32) against as many agent threads in the
 *     trainer's process, and the parameter bytes down and bytes up per update (needs redis-server).
 *     --env ID (CartPole-v1)  --modes LIST (data,grad)  --agents LIST (1,2,4)  --warmup-seconds S  --window-seconds S
 *   continuous: Pendulum-v1, MountainCarContinuous-v0, MountainCar-v0 and gym:InvertedPendulum-v5
 *     with their presets to their bounds, median over seeds, each checkpoint evaluated; random
 *     exploration with held noise.
 *     --envs LIST (all four)  --modes LIST (each env's default)  --seeds N (3)  --max-seconds S (120)
 *     --eval-episodes N (20)  --policy-std KIND (the presets')  --logdir DIR (none)
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { MODES, POLICY_STDS, type ModeName, type TrainConfig } from '../src/algo/config/config.js';
import { initBackend } from '../src/nn/kernels/backend.js';
import { ATARI_TABLE_EVAL_EPISODES, ATARI_TABLE_GAMES, ATARI_TABLE_STEPS, atariTableFromCsv, atariTableTables, runAtariTableSuite } from './atari-table-suite.js';
import { cartPoleTables, runCartPoleSuite } from './cartpole-suite.js';
import { CONTINUOUS_ENVS, continuousTables, runContinuousSuite } from './continuous-suite.js';
import { loggingTables, runLoggingSuite } from './logging-suite.js';
import { multihostTables, runMultihostSuite } from './multihost-suite.js';
import { PONG_LEARN_ENV, PONG_LEARN_SECONDS, pongLearnFromCsv, pongLearnTables, runPongLearnSuite } from './pong-learn-suite.js';
import { pongProfileTables, runPongProfileSuite } from './pong-profile-suite.js';
import { pongTables, runPongSuite } from './pong-suite.js';
import { runWebSuite, webTables } from './web-suite.js';
import { ATARI_BACKENDS, type AtariBackend } from '../src/envs/gym-bridge/atari-preprocessing.js';

const SUITES = ['cartpole', 'pong', 'pong-profile', 'pong-learn', 'atari-table', 'logging', 'multihost', 'continuous', 'web'] as const;
const USAGE =
  'usage: npm run bench -- [cartpole|pong|pong-profile|pong-learn|atari-table|logging|multihost|continuous|web] [--seeds N] [--seed N] [--max-seconds S] [--warmup-seconds S] [--window-seconds S] [--learner-seconds S] [--pairs N] [--steps N] [--env ID] [--envs LIST] [--games LIST] [--max-steps N] [--modes LIST] [--backends LIST] [--agents LIST] [--eval-episodes N] [--policy-std KIND] [--preset NAME] [--logdir DIR] [--checkpoint DIR] [--from-csv PATH]';

const MULTIHOST_MODES = 'data,grad';
const PROFILE_MODES = 'data,grad,hogwild';
const ATARI_TABLE_DIR = 'runs/atari-table';
/** Where finished games are archived (committed), and what `atari-table --from-csv` is given for the README's table. */
const ATARI_TABLE_ARCHIVE = 'docs/atari-table';
/** The learner's first updates and the servers' first episodes are slower: profile after them. */
const PROFILE_WARMUP_SECONDS = '20';
const MULTIHOST_ENV = 'CartPole-v1';
/** Cap per training run of the cartpole and continuous suites. */
const SOLVE_RUN_SECONDS = '120';
/** Wall time of each run of the web suite. */
const WEB_RUN_SECONDS = '30';

const OPTIONS = {
  seeds: { type: 'string', default: '3' },
  seed: { type: 'string', default: '0' },
  'max-seconds': { type: 'string' },
  'warmup-seconds': { type: 'string' },
  'window-seconds': { type: 'string', default: '60' },
  'learner-seconds': { type: 'string', default: '5' },
  pairs: { type: 'string', default: '5' },
  steps: { type: 'string', default: '400000' },
  env: { type: 'string' },
  modes: { type: 'string' },
  agents: { type: 'string', default: '1,2,4' },
  backends: { type: 'string', default: ATARI_BACKENDS.join(',') },
  envs: { type: 'string', default: CONTINUOUS_ENVS.join(',') },
  'eval-episodes': { type: 'string' },
  games: { type: 'string' },
  'max-steps': { type: 'string' },
  'policy-std': { type: 'string' },
  logdir: { type: 'string' },
  checkpoint: { type: 'string' },
  preset: { type: 'string' },
  'from-csv': { type: 'string' },
} as const;

function positive(name: string, text: string, integer = false): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"; ${USAGE}`);
  }
  return value;
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
}

/** `text`, a comma-separated list of modes, each one of `allowed`. */
function parseModes(text: string, allowed: readonly ModeName[]): ModeName[] {
  const modes = text.split(',').map((m) => m.trim());
  if (!modes.every((m): m is ModeName => (allowed as readonly string[]).includes(m))) throw new Error(`--modes must list some of ${allowed.join(', ')}, got "${text}"; ${USAGE}`);
  return modes;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(argv);
  const suite = positionals[0] ?? 'cartpole';
  if (positionals.length > 1 || !(SUITES as readonly string[]).includes(suite)) {
    throw new Error(`unknown suite "${positionals.join(' ')}"; expected one of ${SUITES.join(', ')}; ${USAGE}`);
  }
  const learnerSeconds = positive('learner-seconds', values['learner-seconds']);
  const cartPoleOptions = { seeds: positive('seeds', values.seeds, true), maxSeconds: positive('max-seconds', values['max-seconds'] ?? SOLVE_RUN_SECONDS), learnerSeconds };
  const pongOptions = { warmupSeconds: positive('warmup-seconds', values['warmup-seconds'] ?? '10'), windowSeconds: positive('window-seconds', values['window-seconds']), learnerSeconds };
  // The backend A3C.learn() selects too, initialised here for the learner figures.
  const backend = await initBackend({});
  log(`bench ${suite}: backend ${backend}`);
  const started = new Date();
  const header = { suite, date: started.toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, backend };
  let report: object;
  let tables: string[];
  if (suite === 'cartpole') {
    const cartPole = await runCartPoleSuite(cartPoleOptions, log);
    [report, tables] = [cartPole, cartPoleTables(cartPole)];
  } else if (suite === 'pong') {
    const pong = await runPongSuite(pongOptions, log);
    [report, tables] = [pong, pongTables(pong)];
  } else if (suite === 'pong-profile') {
    const backends = values.backends.split(',').map((b) => b.trim());
    if (!backends.every((b): b is AtariBackend => (ATARI_BACKENDS as readonly string[]).includes(b))) throw new Error(`--backends must list some of ${ATARI_BACKENDS.join(', ')}, got "${values.backends}"; ${USAGE}`);
    const profile = await runPongProfileSuite(
      {
        modes: parseModes(values.modes ?? PROFILE_MODES, MODES),
        backends,
        warmupSeconds: positive('warmup-seconds', values['warmup-seconds'] ?? PROFILE_WARMUP_SECONDS),
        windowSeconds: pongOptions.windowSeconds,
        ceilingSeconds: learnerSeconds,
      },
      log,
    );
    [report, tables] = [profile, pongProfileTables(profile)];
  } else if (suite === 'pong-learn') {
    const seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed)) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"; ${USAGE}`);
    const pongLearn =
      values['from-csv'] !== undefined
        ? pongLearnFromCsv(values['from-csv'])
        : await runPongLearnSuite(
            {
              env: values.env ?? PONG_LEARN_ENV,
              seed,
              maxSeconds: positive('max-seconds', values['max-seconds'] ?? String(PONG_LEARN_SECONDS)),
              preset: values.preset ?? null,
              logdir: values.logdir ?? null,
              checkpoint: values.checkpoint ?? null,
            },
            log,
          );
    [report, tables] = [pongLearn, pongLearnTables(pongLearn)];
  } else if (suite === 'atari-table') {
    const seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed)) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"; ${USAGE}`);
    const names = values.games?.split(',').map((g) => g.trim()) ?? ATARI_TABLE_GAMES.map((g) => g.env);
    const games = names.map((name) => {
      const game = ATARI_TABLE_GAMES.find((g) => g.env === name);
      if (game === undefined) throw new Error(`--games: unknown game "${name}"; expected some of ${ATARI_TABLE_GAMES.map((g) => g.env).join(', ')}; ${USAGE}`);
      return game;
    });
    const table =
      values['from-csv'] !== undefined
        ? atariTableFromCsv(values['from-csv'], games)
        : await runAtariTableSuite(
            {
              games,
              seed,
              maxSteps: positive('max-steps', values['max-steps'] ?? String(ATARI_TABLE_STEPS), true),
              evalEpisodes: positive('eval-episodes', values['eval-episodes'] ?? String(ATARI_TABLE_EVAL_EPISODES), true),
              dir: values.logdir ?? ATARI_TABLE_DIR,
              archiveDir: ATARI_TABLE_ARCHIVE,
            },
            log,
          );
    [report, tables] = [table, atariTableTables(table)];
  } else if (suite === 'continuous') {
    const modes = values.modes === undefined ? null : parseModes(values.modes, MODES);
    const policyStd = values['policy-std'];
    if (policyStd !== undefined && !(POLICY_STDS as readonly string[]).includes(policyStd)) throw new Error(`--policy-std must be one of ${POLICY_STDS.join(', ')}, got "${policyStd}"; ${USAGE}`);
    const continuous = await runContinuousSuite(
      {
        envs: values.envs.split(',').map((e) => e.trim()),
        modes,
        seeds: cartPoleOptions.seeds,
        maxSeconds: cartPoleOptions.maxSeconds,
        evalEpisodes: positive('eval-episodes', values['eval-episodes'] ?? '20', true),
        overrides: policyStd === undefined ? {} : { policyStd: policyStd as TrainConfig['policyStd'] },
        logdir: values.logdir ?? null,
      },
      log,
    );
    [report, tables] = [continuous, continuousTables(continuous)];
  } else if (suite === 'web') {
    const web = await runWebSuite({ pairs: positive('pairs', values.pairs, true), seconds: positive('max-seconds', values['max-seconds'] ?? WEB_RUN_SECONDS) }, log);
    [report, tables] = [web, webTables(web, header.cpuModel ?? 'an unknown CPU')];
  } else if (suite === 'multihost') {
    const modes = parseModes(values.modes ?? MULTIHOST_MODES, ['data', 'grad']);
    const agentCounts = values.agents.split(',').map((n) => positive('agents', n.trim(), true));
    const multihost = await runMultihostSuite({ env: values.env ?? MULTIHOST_ENV, modes, agentCounts, warmupSeconds: pongOptions.warmupSeconds, windowSeconds: pongOptions.windowSeconds }, log);
    [report, tables] = [multihost, multihostTables(multihost)];
  } else {
    const logging = await runLoggingSuite({ pairs: positive('pairs', values.pairs, true), steps: positive('steps', values.steps, true) }, log);
    [report, tables] = [logging, loggingTables(logging)];
  }
  const wallSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  log(`\n${tables.join('\n\n')}\n\nbackend: ${backend}; suite wall time ${wallSeconds} s`);
  console.log(JSON.stringify({ ...header, wallSeconds, ...report }, null, 2));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
