import type { ActorCriticNet } from '../../nn/networks.js';
import type { Optimizer } from '../../nn/optimizers.js';
import type { SharedMemory } from '../../parallel/transport.js';
import { ConfigError, type ModeName, type TrainConfig } from '../config/config.js';
import type { Learner, UpdateStats } from '../update/learner.js';
import type { TransitionArrays } from '../rollout/transition-batch.js';

/**
 * Where a mode's agents can run: in the trainer's own thread (InProcessTransport), on threads of
 * the trainer's process (ThreadTransport), or on any host over Redis (`config.transport`).
 */
export type TransportKind = 'in-process' | 'threads' | 'redis';

/** The rollout-size keys a mode sends by (`rolloutSize`): data's microBatch, a2c's batchSize, grad's gradBatch. */
export type RolloutKey = 'batchSize' | 'microBatch' | 'gradBatch';

/**
 * policy lstm: sets `config[key]` to `value`, the transitions of whole rollouts (`what` spells it,
 * e.g. "envsPerWorker x nSteps").
 * @throws ConfigError when the user gave (`given`) another value for the key.
 */
export function fitRolloutKey(config: TrainConfig, given: Partial<TrainConfig>, key: RolloutKey, value: number, what: string): void {
  const wanted = given[key];
  if (wanted !== undefined && wanted !== value) {
    throw new ConfigError(`policy lstm trains on whole rollouts: ${key} must be ${what} = ${value}, got ${wanted} (leave it unset)`);
  }
  config[key] = value;
}

/**
 * The `validate` of a mode whose agents cannot leave the trainer's process (no 'redis' in its
 * `transports`): refuses a config with a `transport`, saying `why` (e.g. "mode a2c runs its one
 * agent in the trainer's thread").
 */
export function refusingTransport(why: string): (config: TrainConfig) => string | null {
  return (config) => (config.transport === null ? null : `${why}; a transport needs mode data or grad`);
}

/**
 * The `versionsBehind` of a mode whose agents send before anything of theirs is published: every
 * version published since `paramsVersion` is another's update the work did not see.
 */
export function versionsSince(newest: number, paramsVersion: number): number {
  return newest - paramsVersion;
}

/** What both halves of a mode are built from. */
export interface ModeContext {
  config: TrainConfig;
  /** One observation's shape: `[obsSize]` or `[C, H, W]`. */
  obsShape: readonly number[];
  /** The transport's shared memory, for lock-free modes; null where it has none. */
  shared: SharedMemory | null;
  /** The run's env steps when this process started it: 0, or a resumed checkpoint's. */
  envStepsAtStart: number;
}

/** A mode's agent half: what an agent does with each rollout it collects. */
export interface ModeAgent<Work> {
  /** Transitions the agent collects before it hands them to `process`. */
  readonly rolloutSize: number;
  /**
   * Turns a rollout of `rolloutSize` transitions into the work sent to the trainer: the
   * transitions themselves, or the gradient of the loss on them (with the agent's network, which
   * holds the parameters it acted with).
   */
  process(rollout: TransitionArrays): Work;
  /**
   * The work bears rounding (a gradient): a network transport may carry its Float32Arrays at the
   * wire's lower precision (`--wire-dtype float16`). Absent: transitions, sent as they are.
   */
  readonly lossyWork?: boolean;
}

/** A mode's trainer half: what the trainer does with the work agents send. */
export interface ModeTrainer<Work> {
  /** Transitions behind each work `check` accepts (the agents' rolloutSize). */
  readonly rolloutSize: number;
  /** Takes one agent's work; returns the update's statistics when it stepped the optimiser, else null. */
  receive(work: Work): UpdateStats | null;
  /**
   * Why `work`, which may come from another process, is not this mode's work for this network
   * (types, array lengths, action range), or null when it is; `receive` takes only work that passed.
   */
  check(work: unknown): string | null;
}

/**
 * One way of splitting A3C between agents and the trainer (docs/architecture.md): the modes
 * differ only in what an agent sends and what the trainer does with it. The runner (runner.ts)
 * drives every mode and keeps the step, episode and update bookkeeping; the agent (agent.ts)
 * collects the rollouts; a transport (src/parallel) carries the work.
 */
export interface Mode<Work = unknown> {
  readonly name: ModeName;
  /**
   * The transports the mode's agents can run over; the first is the one used without
   * `config.transport`. ['in-process']: one agent steps every env copy in the trainer's own thread
   * and the trainer trains on each of its rollouts (synchronous A2C); otherwise `workers` agents run
   * on threads, and over Redis where 'redis' is listed.
   */
  readonly transports: readonly TransportKind[];
  /**
   * True: agents apply their updates themselves to parameters in the transport's shared memory,
   * without locks (the A3C paper's Hogwild updates); the trainer only counts and checkpoints.
   */
  readonly lockFree: boolean;
  /**
   * The staleness of work computed with parameters version `paramsVersion` when `newest` is the
   * newest version published: the versions it did not see, which the runner counts and drops by
   * (`maxStaleness`). Most modes: `versionsSince`. Hogwild one less: its agent applied its own
   * update to the shared parameters and counted it in the shared version before it sent, so one
   * of the versions since is the work itself, not one it missed.
   */
  versionsBehind(newest: number, paramsVersion: number): number;
  /**
   * The mode's defaults, applied over the per-env ones and under a preset, the config file and
   * flags (resolveConfig, training/resolve-config.ts; exported as MODE_DEFAULTS).
   */
  readonly defaults: Readonly<Partial<TrainConfig>>;
  /** Transitions per agent message (both halves' `rolloutSize`), from the resolved `config`. */
  rolloutSize(config: TrainConfig): number;
  /**
   * policy lstm, called by resolveConfig: sets the mode's rollout sizes to whole rollouts of
   * nSteps steps of an agent's env copies (fitRolloutKey).
   * @throws ConfigError where a size the user gave (`given`) does not fit.
   */
  fitRecurrentRollouts(config: TrainConfig, given: Partial<TrainConfig>): void;
  /**
   * Why a resolved `config` does not fit the mode (e.g. a `transport` where `transports` has no
   * 'redis'), as the one line resolveConfig throws, or null when it fits.
   */
  validate(config: TrainConfig): string | null;
  /**
   * The trainer's optimiser where the mode needs its own (hogwild: RMSProp over statistics shared
   * with the agents, made with `shareArray` before they start); otherwise `config.optimizer`.
   */
  optimizer?(numParams: number, config: TrainConfig, shareArray: (name: string, length: number) => Float32Array): Optimizer;
  agent(net: ActorCriticNet, context: ModeContext): ModeAgent<Work>;
  trainer(learner: Learner, context: ModeContext): ModeTrainer<Work>;
}
