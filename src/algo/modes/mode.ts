import type { ActorCriticNet } from '../../nn/networks.js';
import type { Optimizer } from '../../nn/optimizers.js';
import type { SharedMemory } from '../../parallel/transport.js';
import type { ModeName, TrainConfig } from '../config/config.js';
import type { Learner, UpdateStats } from '../update/learner.js';
import type { TransitionArrays } from '../rollout/transition-batch.js';

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
   * True: one agent steps every env copy in the trainer's own thread and the trainer trains on
   * each of its rollouts (synchronous A2C). False: `workers` agents run on threads.
   */
  readonly synchronous: boolean;
  /**
   * True: agents apply their updates themselves to parameters in the transport's shared memory,
   * without locks (the A3C paper's Hogwild updates); the trainer only counts and checkpoints.
   */
  readonly lockFree: boolean;
  /**
   * The trainer's optimiser where the mode needs its own (hogwild: RMSProp over statistics shared
   * with the agents, made with `shareArray` before they start); otherwise `config.optimizer`.
   */
  optimizer?(numParams: number, config: TrainConfig, shareArray: (name: string, length: number) => Float32Array): Optimizer;
  agent(net: ActorCriticNet, context: ModeContext): ModeAgent<Work>;
  trainer(learner: Learner, context: ModeContext): ModeTrainer<Work>;
}
