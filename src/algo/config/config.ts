/**
 * Training configuration: one table declares each key's type, default, doc, validation and `train`
 * flag (as CleanRL's `Args` dataclass does). Per-environment overrides and presets sit beside it (as
 * the RL zoos keep them); each mode's own defaults sit in its file (src/algo/modes/), and one
 * `resolveConfig` (training/resolve-config.ts) merges them, a config file and flags, validates them
 * and fails with one clear line.
 */

import { ATARI_BACKENDS, DEFAULT_ATARI_BACKEND, type AtariBackend } from '../../envs/gym-bridge/atari-preprocessing.js';
import { ATARI_ARCHS, type AtariArch } from '../../nn/net-spec.js';
import { A3C_RMSPROP_ALPHA, A3C_RMSPROP_EPS, BASELINES_RMSPROP_EPS, REFERENCE_ADAM_EPS } from '../../nn/optimizers.js';
import { WIRE_DTYPES, type WireDtype } from '../../parallel/wire-dtype.js';
import { redactUrl } from '../../parallel/redis-url.js';
import { RUN_NAME_PATTERN } from '../../parallel/run-name.js';

export const MODES = ['data', 'grad', 'a2c', 'hogwild'] as const;
export type ModeName = (typeof MODES)[number];
/** StdParameterization (src/nn/net-spec.ts): how a Gaussian policy's sigma is learned. */
export const POLICY_STDS = ['state-independent', 'state-dependent'] as const;
/** The trainer's optimiser (nn/optimizers.ts); in hogwild mode its statistics are shared by the agents. */
export const OPTIMIZERS = ['adam', 'rmsprop'] as const;
/** feedforward, or an LSTM after the hidden layers (nn/lstm.ts). */
export const POLICIES = ['feedforward', 'lstm'] as const;
/** How the learning rate changes over the run (lr-schedule.ts). */
export const LR_SCHEDULES = ['constant', 'linear'] as const;
/** Named sets of hyper-parameters from a published setup (PRESETS). */
export const PRESET_NAMES = ['lapan', 'paper', 'baselines-a2c'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
/**
 * How value targets are computed: ptan's first-last n-step windows (n-step.ts), or the A3C
 * paper's forward-view t_max rollouts with SB3's GAE(lambda) (forward-view.ts).
 */
export const RETURNS = ['first-last', 'forward-view'] as const;
export type ReturnsName = (typeof RETURNS)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Flag text to a finite number; blank text is refused, as `Number('')` is 0. */
export function numberFromText(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`"${text}" is not a number.`);
  return n;
}

export function integerFromText(text: string): number {
  const n = numberFromText(text);
  if (!Number.isInteger(n)) throw new ConfigError(`"${text}" is not an integer.`);
  return n;
}

function booleanFromText(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(`"${text}" is not true or false.`);
}

function integerListFromText(text: string): number[] {
  return text.split(',').map((part) => integerFromText(part.trim()));
}

/** The values a key takes: a test, the one-line error for a value that fails it, and a flag parser. */
interface Kind<T> {
  readonly is: (v: unknown) => v is T;
  readonly error: (key: string, v: unknown) => string;
  /** Flag text to a value, or a ConfigError saying why not; absent: the text is the value. */
  readonly parse?: (text: string) => T;
  /** The only values a flag may take, for a kind that is one of a list of names. */
  readonly choices?: readonly string[];
  /**
   * True for true-or-false keys: a bare `--flag` means true and `--no-flag` false, besides
   * `--flag true|false` (SB3's zoo and most CLIs).
   */
  readonly isSwitch?: boolean;
}

/** A kind whose error reads "KEY must be EXPECTED, got VALUE". */
function kind<T>(expected: string, is: (v: unknown) => v is T, parse?: (text: string) => T): Kind<T> {
  return { is, parse, error: (key, v) => `${key} must be ${expected}, got ${JSON.stringify(v)}` };
}

function oneOf<T extends string>(names: readonly T[]): Kind<T> {
  return {
    is: (v): v is T => (names as readonly unknown[]).includes(v),
    error: (key, v) => `unknown ${key} "${String(v)}"; expected one of ${names.join(', ')}`,
    choices: names,
  };
}

/** The kind, or null for none: no limit, no folder, the env's threshold. */
function orNull<T>(k: Kind<T>): Kind<T | null> {
  return { ...k, is: (v): v is T | null => v === null || k.is(v) };
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPositiveInteger = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v > 0;

const envId = kind('a Gymnasium id', isText);
const path = kind('a path', isText);
const moduleSpecifier = kind('a module path or package name', isText);
const anyNumber = kind('a number', isNumber, numberFromText);
const positiveNumber = kind('a positive number', (v): v is number => isNumber(v) && v > 0, numberFromText);
const nonNegativeNumber = kind('a number >= 0', (v): v is number => isNumber(v) && v >= 0, numberFromText);
const unitInterval = kind('in [0, 1]', (v): v is number => isNumber(v) && v >= 0 && v <= 1, numberFromText);
const positiveInteger = kind('a positive integer', isPositiveInteger, integerFromText);
const boolean: Kind<boolean> = { ...kind('true or false', (v): v is boolean => typeof v === 'boolean', booleanFromText), isSwitch: true };
const nonNegativeInteger = kind('a non-negative integer', (v): v is number => isNumber(v) && Number.isInteger(v) && v >= 0, integerFromText);
const redisUrl: Kind<string> = {
  ...kind('a redis://[[USER]:PASSWORD@]HOST:PORT/DB URL', (v): v is string => typeof v === 'string' && /^rediss?:\/\/\S+$/.test(v)),
  // The value is not echoed as given: it may hold a password.
  error: (key, v) => `${key} must be a redis://[[USER]:PASSWORD@]HOST:PORT/DB URL, got ${typeof v === 'string' ? JSON.stringify(redactUrl(v)) : JSON.stringify(v)}`,
};
const runName = kind('1 to 64 letters, digits, ".", "_" or "-"', (v): v is string => typeof v === 'string' && RUN_NAME_PATTERN.test(v));
const positiveIntegers = kind(
  'a list of positive integers',
  (v): v is number[] => Array.isArray(v) && v.length > 0 && v.every(isPositiveInteger),
  integerListFromText,
);

/**
 * One config key: its default, its kind, and its `train` flag (the key in kebab-case): placeholder
 * (`[bool]`, optional, for a switch) and help. `help` is the key's one description, for
 * `train --help` and readers alike; a doc comment on a table entry says only where its default
 * comes from and why, so that the two cannot tell different stories.
 */
export interface Field<T> {
  readonly default: T;
  readonly kind: Kind<T>;
  readonly arg: string;
  readonly help: string;
}

const field = <T>(f: Field<T>): Field<T> => f;

/** The `a3c train` flag of config key `key` (without the dashes): its kebab-case, as the browser page's query takes it too. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * `saveEvery` of a run with a transport and a checkpoint folder, unless given: SB3's
 * CheckpointCallback, on by default where a run spans hosts and lives longest (a trainer restarted
 * with --resume loses at most this many env steps). The README's Redis example's period: about
 * 1% of a 10M-step Atari run, 1.5 minutes of Breakout at its 1,200 steps/s, and a few seconds of
 * CartPole; `keepCheckpoints` bounds the disk it takes.
 */
export const TRANSPORT_SAVE_EVERY = 100_000;

/**
 * Every config key, in `train --help` order. Defaults are the reference's unless a doc says
 * otherwise: Lapan, Deep RL Hands-On 2nd ed., Chapter 13 (01_a3c_data.py, 02_a3c_grad.py).
 */
export const CONFIG_FIELDS = {
  env: field<string>({ default: 'CartPole-v1', kind: envId, arg: '<id>', help: 'Gymnasium env id' }),
  preset: field<PresetName | null>({ default: null, kind: orNull(oneOf(PRESET_NAMES)), arg: '<name>', help: "a published setup's hyper-parameters over the env's defaults (flags and --config still override): lapan (the reference, Lapan ch. 13), paper (Mnih et al. 2016's A3C), baselines-a2c (OpenAI Baselines' A2C)" }),
  /** The trainer, every agent thread, play and eval import it before they make an env (envs/prepare-envs.ts). */
  envModule: field<string | null>({ default: null, kind: orNull(moduleSpecifier), arg: '<module>', help: 'your ES module that registers the env id when imported (path or package; module#export for an exported registration)' }),
  /** One file each in src/algo/modes/; hogwild is Mnih et al. 2016's A3C, with its own defaults (MODE_DEFAULTS). */
  mode: field<ModeName>({ default: 'data', kind: oneOf(MODES), arg: '<mode>', help: 'data: agents send transitions; grad: agents send gradients; a2c: synchronous; hogwild: agents apply gradients to shared parameters (shared RMSProp or Adam, lr annealed to 0 over --max-steps by default)' }),
  /** The reference's --processes on Pong. */
  workers: field<number>({ default: 4, kind: nonNegativeInteger, arg: '<n>', help: "agent threads (a2c: one agent over workers x envs-per-worker envs in the trainer's thread; with --transport: local agents besides those that join, default 0 there)" }),
  /** The reference's NUM_ENVS. */
  envsPerWorker: field<number>({ default: 8, kind: positiveInteger, arg: '<n>', help: 'env copies per agent' }),
  /** The reference's --seed. */
  seed: field<number>({ default: 0, kind: nonNegativeInteger, arg: '<n>', help: 'run seed' }),
  /** The reference's GAMMA. */
  gamma: field<number>({ default: 0.99, kind: unitInterval, arg: '<x>', help: 'discount factor' }),
  /**
   * adam is the reference's; rmsprop Mnih et al. 2016's, OpenAI Baselines' and SB3's A2C's, and
   * hogwild's default (MODE_DEFAULTS). Hogwild's shared Adam is ikostrikov/pytorch-a3c's SharedAdam.
   */
  optimizer: field<(typeof OPTIMIZERS)[number]>({ default: 'adam', kind: oneOf(OPTIMIZERS), arg: '<name>', help: 'adam or rmsprop (hogwild: state shared by the agents, Adam\'s step count included)' }),
  /** The reference's LEARNING_RATE. */
  lr: field<number>({ default: 0.001, kind: positiveNumber, arg: '<x>', help: 'learning rate' }),
  /**
   * constant is the reference's; linear is Mnih et al. 2016, sec. 8, OpenAI Baselines' lrschedule
   * 'linear' and SB3's linear_schedule (lr-schedule.ts).
   */
  lrSchedule: field<(typeof LR_SCHEDULES)[number]>({ default: 'constant', kind: oneOf(LR_SCHEDULES), arg: '<name>', help: "constant, or linear: lr annealed to 0 at --max-steps env steps of the run (a resumed run's earlier steps counted), which it needs (a mode's or preset's linear stays constant without it)" }),
  /** The reference's (REFERENCE_ADAM_EPS), far above Adam's usual 1e-8. */
  adamEps: field<number>({ default: REFERENCE_ADAM_EPS, kind: positiveNumber, arg: '<x>', help: 'Adam epsilon' }),
  /** Mnih et al. 2016, sec. 8 (A3C_RMSPROP_ALPHA). */
  rmspropAlpha: field<number>({ default: A3C_RMSPROP_ALPHA, kind: unitInterval, arg: '<x>', help: 'RMSProp decay of the mean squared gradient' }),
  /**
   * Inside the square root, as in the paper and TensorFlow. OpenAI Baselines' value
   * (BASELINES_RMSPROP_EPS); hogwild's default is the A3C paper's A3C_RMSPROP_EPS (MODE_DEFAULTS).
   */
  rmspropEps: field<number>({ default: BASELINES_RMSPROP_EPS, kind: positiveNumber, arg: '<x>', help: 'RMSProp epsilon (inside the square root)' }),
  /** The reference's ENTROPY_BETA. */
  entCoef: field<number>({ default: 0.01, kind: nonNegativeNumber, arg: '<x>', help: 'entropy bonus coefficient' }),
  /** The reference adds the value loss unweighted. */
  valueCoef: field<number>({ default: 1, kind: nonNegativeNumber, arg: '<x>', help: 'weight of the value loss, mean((target - V)^2)' }),
  /**
   * first-last: the reference's REWARD_STEPS; forward-view: Mnih et al. 2016's t_max (Algorithm S3),
   * SB3's n_steps.
   */
  nSteps: field<number>({ default: 4, kind: positiveInteger, arg: '<n>', help: 'n-step return length (forward-view: rollout length t_max per env copy)' }),
  /**
   * first-last: the reference's, ptan's ExperienceSourceFirstLast (n-step.ts); forward-view:
   * Mnih et al. 2016, Algorithm S3 (forward-view.ts).
   */
  returns: field<ReturnsName>({ default: 'first-last', kind: oneOf(RETURNS), arg: '<kind>', help: 'first-last: n-step windows; forward-view: t_max rollouts of --n-steps with forward-view returns (GAE with --gae-lambda)' }),
  /** Value targets A_t + V(s_t), as SB3's RolloutBuffer computes them; 1 is SB3 A2C's gae_lambda. */
  gaeLambda: field<number>({ default: 1, kind: unitInterval, arg: '<x>', help: 'forward-view: GAE lambda (1: plain forward-view returns)' }),
  /** The reference's CLIP_GRAD; hogwild's default is A3C_MAX_GRAD_NORM (MODE_DEFAULTS). */
  maxGradNorm: field<number>({ default: 0.1, kind: positiveNumber, arg: '<x>', help: 'bound of the global gradient norm (gradients are clipped to it)' }),
  /** The reference's MICRO_BATCH. */
  microBatch: field<number>({ default: 32, kind: positiveInteger, arg: '<n>', help: 'data mode: transitions per agent message' }),
  /** The reference's BATCH_SIZE. */
  batchSize: field<number>({ default: 128, kind: positiveInteger, arg: '<n>', help: 'data/a2c: transitions per update' }),
  /** The reference's GRAD_BATCH. In hogwild, 60k env steps at 64 are 937 updates. */
  gradBatch: field<number>({ default: 64, kind: positiveInteger, arg: '<n>', help: 'grad/hogwild: transitions per agent gradient (hogwild: one update each, whatever --n-steps and --envs-per-worker are)' }),
  /** The reference's TRAIN_BATCH. */
  trainBatch: field<number>({ default: 2, kind: positiveInteger, arg: '<n>', help: 'grad mode: gradient sets summed per update' }),
  /** nn/net-spec.ts ATARI_ARCHS. */
  atariNet: field<AtariArch>({ default: 'lapan', kind: oneOf(ATARI_ARCHS), arg: '<arch>', help: 'network for stacked frames: lapan (AtariA2C) or a3c-paper (Mnih et al. 2016, 4x less compute)' }),
  /** envs/gym-bridge/atari-preprocessing.ts AtariBackend; README "Atari backends" for the differences. */
  atariBackend: field<AtariBackend>({ default: DEFAULT_ATARI_BACKEND, kind: oneOf(ATARI_BACKENDS), arg: '<name>', help: "Atari: who runs the emulator and the DQN preprocessing in the env server: ale-vector (ale-py's C++ AtariVectorEnv, all of an agent's env copies in one call) or python (wrap_dqn frame by frame)" }),
  /**
   * Mnih et al. 2016's A3C-LSTM (nn/lstm.ts): its state is carried across steps per env copy and
   * reset where an episode starts; trained by truncated backpropagation through time on
   * forward-view rollouts.
   */
  policy: field<(typeof POLICIES)[number]>({ default: 'feedforward', kind: oneOf(POLICIES), arg: '<kind>', help: 'feedforward, or lstm (A3C-LSTM: an LSTM of --lstm-cells after the hidden layers, trained on rollouts of --n-steps consecutive steps per env copy)' }),
  /** The paper's 256 on Atari (ATARI). */
  lstmCells: field<number>({ default: 128, kind: positiveInteger, arg: '<n>', help: 'LSTM cells of --policy lstm' }),
  /** The reference's CartPole MlpA2C. */
  hidden: field<number[]>({ default: [128], kind: positiveIntegers, arg: '<sizes>', help: 'hidden layer sizes of the MLP for vector observations, comma-separated' }),
  /** state-independent: SB3's; state-dependent: Mnih et al. 2016's MuJoCo nets (README, Results). */
  policyStd: field<(typeof POLICY_STDS)[number]>({ default: 'state-independent', kind: oneOf(POLICY_STDS), arg: '<kind>', help: 'Box actions: how the Gaussian policy learns sigma: state-independent (a learned log sigma per action dimension) or state-dependent (sigma^2 from a softplus layer of the state)' }),
  /**
   * The Gaussian's unit noise, or the uniform number a categorical sample inverts: persistent noise
   * explores where i.i.d. noise averages out (policy.ts), as SB3's gSDE with sde_sample_freq.
   */
  noiseHoldSteps: field<number>({ default: 1, kind: positiveInteger, arg: '<n>', help: "steps the policy's sampling noise is held for before it is drawn again (1: i.i.d.)" }),
  /** SB3's log_std_init, default 0. */
  logStdInit: field<number>({ default: 0, kind: anyNumber, arg: '<x>', help: 'Box actions: initial log standard deviation of the Gaussian policy' }),
  /**
   * SB3's VecNormalize, norm_obs, clipped at +-CLIP_OBS. The trainer merges the statistics over all
   * agents and publishes them with the parameters (normalization.ts).
   */
  normalizeObs: field<boolean>({ default: false, kind: boolean, arg: '[bool]', help: 'normalise observations by running mean/std (VecNormalize); the statistics are saved in checkpoints and applied by eval/play/export' }),
  /** SB3's VecNormalize, norm_reward, clipped at +-CLIP_REWARD. */
  normalizeReward: field<boolean>({ default: false, kind: boolean, arg: '[bool]', help: 'scale rewards by the running std of the discounted return (VecNormalize)' }),
  stopReward: field<number | null>({ default: null, kind: orNull(anyNumber), arg: '<x>', help: 'stop when the mean reward of 100 episodes reaches this (default: the env threshold)' }),
  /** A resumed run counts its earlier steps, as SB3's reset_num_timesteps=False. */
  maxSteps: field<number | null>({ default: null, kind: orNull(positiveInteger), arg: '<n>', help: 'stop once the run has taken this many env steps in all (a resumed run counts its earlier steps and keeps its --max-steps unless given a new one)' }),
  maxSeconds: field<number | null>({ default: null, kind: orNull(positiveNumber), arg: '<x>', help: 'stop after this many seconds of this process (not inherited by --resume)' }),
  checkpoint: field<string | null>({ default: null, kind: orNull(path), arg: '<dir>', help: 'checkpoint folder: snapshots step-<N>/ and a "latest" pointer; the final one is always saved, and a run that fails saves its last parameters where they are finite' }),
  /** With a transport and a checkpoint folder: TRANSPORT_SAVE_EVERY (resolveConfig), SB3's CheckpointCallback on by default. */
  saveEvery: field<number | null>({ default: null, kind: orNull(positiveInteger), arg: '<steps>', help: `also save a checkpoint every this many env steps (with --transport and --checkpoint: ${TRANSPORT_SAVE_EVERY} unless given, so that a trainer lost mid-run loses at most that many; null in --config for none)` }),
  keepCheckpoints: field<number>({ default: 3, kind: positiveInteger, arg: '<n>', help: 'snapshots kept in the checkpoint folder (older ones are deleted)' }),
  /** SB3's EvalCallback. */
  evalEvery: field<number | null>({ default: null, kind: orNull(positiveInteger), arg: '<steps>', help: 'every this many env steps, evaluate the greedy policy on separate envs, log eval_reward and keep the best in <checkpoint>/best/' }),
  /** SB3 EvalCallback's n_eval_episodes. */
  evalEpisodes: field<number>({ default: 5, kind: positiveInteger, arg: '<n>', help: 'episodes per periodic evaluation' }),
  logdir: field<string | null>({ default: null, kind: orNull(path), arg: '<dir>', help: 'write TensorBoard event files and metrics.csv to a run folder <env>-<mode>-<time>/ in this folder' }),
  /** The reference's queue bound. */
  maxQueuedPerWorker: field<number>({ default: 1, kind: positiveInteger, arg: '<n>', help: 'agent messages waiting per agent before it pauses' }),
  maxStaleness: field<number | null>({ default: null, kind: orNull(nonNegativeInteger), arg: '<versions>', help: 'drop agent work computed with parameters more than this many versions old (counted as dropped_stale; its env steps and episodes still count)' }),
  transport: field<string | null>({ default: null, kind: orNull(redisUrl), arg: '<url>', help: 'redis://[[USER]:PASSWORD@]HOST:PORT/DB: agents on other hosts join with `a3c agent` (default: local threads); the password may come from A3C_REDIS_PASSWORD instead, and is never saved' }),
  run: field<string | null>({ default: null, kind: orNull(runName), arg: '<name>', help: 'run name that agents join (with --transport)' }),
  /** Issue 21: float16 halves the bytes of each version down and of each gradient up; the learner keeps float32. */
  wireDtype: field<WireDtype>({ default: 'float32', kind: oneOf(WIRE_DTYPES), arg: '<dtype>', help: "with --transport: how parameters (down) and gradients (up) cross Redis; float16 halves the bytes, transitions and the learner stay float32, and agents follow the trainer's" }),
  redisCa: field<string | null>({ default: null, kind: orNull(path), arg: '<file>', help: "with a rediss:// transport: PEM file of the CA that signed the Redis server's certificate (default: the system's CAs; or A3C_REDIS_CA)" }),
  redisCert: field<string | null>({ default: null, kind: orNull(path), arg: '<file>', help: "with a rediss:// transport: this side's PEM client certificate, for a server that asks for one (or A3C_REDIS_CERT)" }),
  redisKey: field<string | null>({ default: null, kind: orNull(path), arg: '<file>', help: "with a rediss:// transport: the PEM key of --redis-cert (or A3C_REDIS_KEY)" }),
};

/** One value per field of the table, of the field's type; each key is described by its entry's `help`. */
export type TrainConfig = { [K in keyof typeof CONFIG_FIELDS]: (typeof CONFIG_FIELDS)[K] extends Field<infer T> ? T : never };

/** The table's defaults (the reference's). */
export const REFERENCE_DEFAULTS: Readonly<TrainConfig> = Object.freeze(
  Object.fromEntries(Object.entries(CONFIG_FIELDS).map(([key, f]) => [key, f.default])) as TrainConfig,
);

/** What the continuous-control presets below share. */
const CONTINUOUS: Readonly<Partial<TrainConfig>> = Object.freeze({
  workers: 2,
  envsPerWorker: 8,
  hidden: [64, 64],
  lr: 7e-4,
  entCoef: 0,
  maxGradNorm: 0.5,
  normalizeObs: true,
  normalizeReward: true,
  batchSize: 64,
  microBatch: 32,
  gradBatch: 64,
  trainBatch: 1,
});

/** CartPole's defaults (ENV_DEFAULTS), for each of its ids. */
const CART_POLE: Readonly<Partial<TrainConfig>> = Object.freeze({ workers: 2, envsPerWorker: 8, lr: 0.003, maxGradNorm: 0.5, nSteps: 8, entCoef: 0.01 });

/**
 * The Atari games' defaults (ENV_DEFAULTS), measured on Pong.
 * Two queued messages per agent keep both cores busy while the learner trains: +9% env steps/s
 * in data mode on this 2-core machine (878 -> 958, 55 s runs). The A3C paper's network, 4x
 * cheaper than the reference's (1,550 env steps/s here against ~1,000), with Adam at eps 1e-5,
 * whose steps are normalised per parameter: the reference's eps 1e-3 and Baselines' RMSProp eps
 * 1e-5 (inside the root) exceed these gradients' RMS (~2e-4), making both plain SGD steps
 * that left the policy uniform (entropy 1.788 of ln 6 = 1.792 after 1.8M steps at RMSProp lr
 * 7e-4; the reference: -19.3 after 3.4M). lr 5e-4 per 128 transitions matches PPO's per-sample
 * rate (2.5e-4 per 64, CleanRL ppo_atari); 10-step returns, value weight 0.5, clip 0.5.
 */
const ATARI: Readonly<Partial<TrainConfig>> = Object.freeze({
  workers: 4,
  envsPerWorker: 8,
  maxQueuedPerWorker: 2,
  atariNet: 'a3c-paper',
  lstmCells: 256,
  optimizer: 'adam',
  lr: 5e-4,
  adamEps: 1e-5,
  maxGradNorm: 0.5,
  valueCoef: 0.5,
  nSteps: 10,
});

/**
 * Per-environment defaults, applied over the reference's. CartPole: the reference's clip 0.1 and
 * lr 1e-3 solve it only after ~2M steps (its PyTorch port, data mode, 2 x 8 envs: 1.83M steps on
 * seed 1, unsolved after 3.5M on seed 0); a larger step and clip solve it an order of magnitude
 * sooner. Measured in bench/cartpole-suite.ts.
 */
export const ENV_DEFAULTS: Readonly<Record<string, Partial<TrainConfig>>> = Object.freeze({
  'CartPole-v1': CART_POLE,
  // The same cart and pole with its velocities hidden (rl-baselines3-zoo's CartPoleNoVel-v1), a task
  // for --policy lstm. On unscaled returns (values ~15, value loss 20-80) the LSTM's policy swings
  // between uniform and one action (mean-100 ~20 after 150 s of a2c, at lr 3e-3 or 5e-4); scaled
  // rewards, as rl-zoo normalises them for its RecurrentPPO, reach 183 and with observations too
  // 330. On scaled rewards CartPole's entropy bonus outweighs the advantages and holds the policy
  // at entropy ~0.5 (data mode: mean-100 350-425 for 10 minutes); without it, as rl-zoo's ent_coef
  // 0, data mode solves it in 105k env steps (README, Recurrent policies).
  'CartPoleNoVel-v1': { ...CART_POLE, normalizeObs: true, normalizeReward: true, entCoef: 0 },
  // Pong's solved bound; its settings are every Atari game's (ATARI).
  'PongNoFrameskip-v4': { ...ATARI, stopReward: 18 },
  // The Atari table's other games (bench/atari-table-suite.ts) train with Pong's measured settings:
  // the reference's (Adam eps 1e-3) leave Pong's policy uniform, and nothing about them is Pong's.
  'BreakoutNoFrameskip-v4': ATARI,
  'SpaceInvadersNoFrameskip-v4': ATARI,
  'BeamRiderNoFrameskip-v4': ATARI,
  'QbertNoFrameskip-v4': ATARI,
  'SeaquestNoFrameskip-v4': ATARI,
  // Continuous control after rl-baselines3-zoo's A2C (hyperparams/a2c.yml): normalised observations
  // and rewards, no entropy bonus, clip 0.5, lr 7e-4, 64x64 MLP; our n-step first-last returns in
  // place of its GAE. Measured in bench/continuous-suite.ts (README, Results).
  // Pendulum: the zoo's gamma 0.9 and 8 steps. lr 3e-4: at 7e-4 it passes -200 sooner but
  // collapses later (mean-100 -1324 after 60 s). Gymnasium sets no bound; the is -200, and
  // a run stopped at the first mean-100 >= -200 saves a policy that `a3c eval` (100 episodes) puts
  // at -192 to -235 (those 100 episodes' mean is a noisy estimate, stopped when it is lucky), so the
  // run goes on to -175: eval -162 to -186 (seeds 0-2).
  'Pendulum-v1': { ...CONTINUOUS, lr: 3e-4, gamma: 0.9, nSteps: 8, stopReward: -175 },
  // MountainCarContinuous: the goal's reward is found only by persistent pushes (held noise, the
  // zoo's sde_sample_freq 16) and reaches the start only through long returns (64 steps).
  'MountainCarContinuous-v0': { ...CONTINUOUS, gamma: 0.99, nSteps: 64, noiseHoldSteps: 16 },
  // MountainCar-v0 (discrete): the zoo's normalisation; held noise to find the flag, an entropy bonus
  // to keep looking, and 256-transition updates to get from the -120 plateau to -110 (64: unsolved
  // after 90 s on 2 of 3 seeds; 256: solved in 29-46 s on seeds 0-3).
  'MountainCar-v0': { ...CONTINUOUS, gamma: 0.99, nSteps: 32, noiseHoldSteps: 8, entCoef: 0.01, batchSize: 256, microBatch: 64, gradBatch: 128, trainBatch: 2 },
  // MuJoCo through the bridge; Gymnasium's thresholds, which the bridge does not report.
  'gym:InvertedPendulum-v5': { ...CONTINUOUS, gamma: 0.99, nSteps: 8, stopReward: 950 },
  // HalfCheetah: at lr 7e-4 mean-100 reaches ~1300 in 80 s, then falls to -600 and the loss turns
  // non-finite; at 3e-4 it peaks at 2286 after 18 minutes before the means drift out of the Box
  // (README, Results).
  'gym:HalfCheetah-v5': { ...CONTINUOUS, lr: 3e-4, gamma: 0.99, nSteps: 8, stopReward: 4800 },
});

/**
 * Global gradient-norm bound of the A3C paper's open reproductions (universe-starter-agent,
 * ikostrikov/pytorch-a3c), which the paper does not state.
 */
export const A3C_MAX_GRAD_NORM = 40;

/**
 * Per-env defaults of one mode, applied over the per-mode ones. Pendulum-v1 in hogwild: its
 * RMSProp (eps 0.1 inside the square root) steps about 3 lr g, far below Adam's lr-sized steps on
 * these small gradients; at the preset's lr 7e-4 reward_100 is -1075 after 60 s, at 2e-2 it
 * reaches -200 in 10-20 s (seeds 0-2, lr annealed over 3M steps).
 */
export const ENV_MODE_DEFAULTS: Readonly<Record<string, Partial<Record<ModeName, Partial<TrainConfig>>>>> = Object.freeze({
  'Pendulum-v1': { hogwild: { lr: 0.02 } },
});

/** The reference's algorithm keys, which the `lapan` preset takes from the table's defaults. */
const REFERENCE_KEYS = [
  'envsPerWorker', 'gamma', 'optimizer', 'lr', 'lrSchedule', 'adamEps', 'entCoef', 'valueCoef', 'nSteps', 'maxGradNorm',
  'microBatch', 'batchSize', 'gradBatch', 'trainBatch', 'atariNet', 'hidden', 'noiseHoldSteps', 'normalizeObs', 'normalizeReward',
] as const satisfies readonly (keyof TrainConfig)[];

/**
 * Published setups, so that a comparison with one is a flag (`--preset NAME`). A preset applies
 * over the env's and the mode's defaults and under the config file and flags; keys it leaves out
 * (workers, stopReward, budgets, paths) keep the env's defaults. Checkpoints save the resolved
 * config with the preset's name, so a resumed run keeps the values it trained with.
 */
export const PRESETS: Readonly<Record<PresetName, Readonly<Partial<TrainConfig>>>> = Object.freeze({
  /**
   * The reference, Lapan, Deep RL Hands-On 2nd ed., ch. 13 (01_a3c_data.py, 02_a3c_grad.py), as
   * the table's defaults hold it: Adam lr 1e-3 eps 1e-3, entropy 0.01, 4-step returns, clip 0.1,
   * data batches 32/128, gradient batches 64 x 2, 8 envs per process, AtariA2C, value loss
   * unweighted; it undoes the per-env tuning (Pong's paper net and RMSProp, CartPole's lr 3e-3).
   * Workers stay the env's: 4 processes on Pong and 2 on CartPole, as the reference runs them.
   */
  lapan: Object.fromEntries(REFERENCE_KEYS.map((key) => [key, REFERENCE_DEFAULTS[key]])),
  /**
   * A3C of Mnih et al. 2016, "Asynchronous Methods for Deep Reinforcement Learning": 16
   * actor-learner threads of one env each (sec. 5) applying Hogwild updates every t_max = 5
   * steps (sec. 8) with shared RMSProp, alpha 0.99 (sec. 8) and eps 0.1 (as chainerrl's
   * RMSpropAsync, following muupan/async-rl's exchange with the authors), entropy 0.01, gamma
   * 0.99, lr annealed linearly to 0 (sec. 8; constant without maxSteps), the paper's network
   * (sec. 8). The gradient clip 40 and value weight 0.5 are those of its open reproductions
   * (universe-starter-agent, ikostrikov/pytorch-a3c). The paper samples lr from LogUniform(1e-4,
   * 1e-2) per run (sec. 8), so the env's default lr stays.
   */
  paper: {
    mode: 'hogwild',
    workers: 16,
    envsPerWorker: 1,
    gradBatch: 5,
    nSteps: 5,
    optimizer: 'rmsprop',
    rmspropAlpha: A3C_RMSPROP_ALPHA,
    rmspropEps: A3C_RMSPROP_EPS,
    lrSchedule: 'linear',
    entCoef: 0.01,
    valueCoef: 0.5,
    maxGradNorm: A3C_MAX_GRAD_NORM,
    gamma: 0.99,
    atariNet: 'a3c-paper',
  },
  /**
   * OpenAI Baselines' A2C (baselines/a2c/a2c.py learn() defaults; run_atari.py: 16 envs): RMSProp lr
   * 7e-4, alpha 0.99, eps 1e-5, lr annealed linearly to 0 (its lrschedule 'linear'; constant
   * without maxSteps), value weight 0.5, entropy 0.01, clip 0.5, 5-step rollouts of 16 env copies
   * (80 transitions per update). Frames go through the DQN convolutions its 'cnn' network uses
   * ('lapan', which has a 512-unit layer per head where Baselines shares one).
   */
  'baselines-a2c': {
    mode: 'a2c',
    workers: 1,
    envsPerWorker: 16,
    batchSize: 80,
    nSteps: 5,
    optimizer: 'rmsprop',
    lr: 7e-4,
    rmspropAlpha: A3C_RMSPROP_ALPHA,
    rmspropEps: BASELINES_RMSPROP_EPS,
    lrSchedule: 'linear',
    valueCoef: 0.5,
    entCoef: 0.01,
    maxGradNorm: 0.5,
    gamma: 0.99,
    atariNet: 'lapan',
  },
});

/** `config` as it may be written to disk (checkpoints, run folders) or sent to agents: its transport URL without a password. */
export function withoutSecrets(config: TrainConfig): TrainConfig {
  if (config.transport === null) return config;
  const url = new URL(config.transport);
  if (url.password === '') return config;
  url.password = '';
  return { ...config, transport: url.toString() };
}
