import { registerAtariEnvs } from '../envs/atari/index.js';
import { make, makeVectorEnv, envSpec } from '../envs/registry.js';
import { Discrete } from '../envs/spaces.js';
import { initBackend } from '../nn/backend.js';
import { createNet, type NetSpec } from '../nn/networks.js';
import { saveCheckpoint, type Checkpoint } from '../io/checkpoint.js';
import { resolveConfig, type TrainConfig } from './config.js';
import { trainA2C } from './a2c.js';
import { trainDataParallel } from './data-parallel.js';
import { trainGradParallel } from './grad-parallel.js';
import { Learner } from './learner.js';
import { RunStats } from './run-stats.js';
import { netSpecFor, type StopReason, type TrainCallbacks, type TrainingContext } from './trainer.js';

/** The summary a finished run reports (and `a3c train --json` prints). */
export interface TrainResult {
  env: string;
  mode: string;
  solved: boolean;
  stopReason: StopReason;
  steps: number;
  episodes: number;
  updates: number;
  /** Transitions that went through an optimiser step. */
  trainedSamples: number;
  /** Wall time from start to end, start-up included. */
  seconds: number;
  /** Of which start-up (threads, envs, backends). */
  startupSeconds: number;
  meanReward: number | null;
  /** Env steps per second after start-up. */
  stepsPerSecond: number;
  checkpoint: string | null;
  backend: string;
}

export interface A3COptions extends Partial<TrainConfig> {
  callbacks?: TrainCallbacks;
}

/**
 * A3C and A2C on one code path:
 * `await new A3C({ env: 'CartPole-v1', mode: 'data' }).learn()`.
 */
export class A3C {
  readonly config: TrainConfig;
  private readonly callbacks: TrainCallbacks;
  private stopRequested = false;
  private context: TrainingContext | null = null;

  constructor(options: A3COptions = {}) {
    const { callbacks, ...config } = options;
    this.config = resolveConfig(config);
    this.callbacks = callbacks ?? {};
  }

  /** Asks a running `learn()` to stop after the current update; it still saves its checkpoint. */
  stop(): void {
    this.stopRequested = true;
  }

  async learn(): Promise<TrainResult> {
    const { config } = this;
    const backend = await initBackend({});
    registerAtariEnvs();
    const probe = make(config.env);
    const actionSpace = probe.actionSpace;
    const observationSpace = probe.observationSpace;
    probe.close();
    if (!(actionSpace instanceof Discrete)) {
      throw new Error(`${config.env} has a ${actionSpace} action space; A3C here supports Discrete actions`);
    }
    const netSpec = netSpecFor(observationSpace, actionSpace, config.hidden);
    const net = createNet(netSpec, config.seed);
    const learner = new Learner(net, { lr: config.lr, adamEps: config.adamEps, maxGradNorm: config.maxGradNorm });
    const stats = new RunStats();
    const ctx: TrainingContext = {
      config,
      netSpec,
      learner,
      stats,
      callbacks: this.callbacks,
      stopReward: config.stopReward ?? envSpec(config.env)?.rewardThreshold ?? null,
      interrupted: () => this.stopRequested,
    };
    this.context = ctx;
    let reason: StopReason;
    try {
      if (config.mode === 'a2c') {
        this.callbacks.onLog?.(`a2c: 1 thread x ${config.workers * config.envsPerWorker} envs, backend ${backend}`);
        const env = makeVectorEnv(config.env, config.workers * config.envsPerWorker);
        try {
          reason = await trainA2C(ctx, env);
        } finally {
          env.close();
        }
      } else {
        reason = config.mode === 'data' ? await trainDataParallel(ctx) : await trainGradParallel(ctx);
      }
      if (config.checkpoint) saveCheckpoint(config.checkpoint, this.checkpoint());
    } finally {
      this.context = null;
    }
    const result: TrainResult = {
      env: config.env,
      mode: config.mode,
      solved: ctx.stopReward !== null && stats.solved(ctx.stopReward),
      stopReason: reason,
      steps: stats.envSteps,
      episodes: stats.episodes,
      updates: stats.updates,
      trainedSamples: stats.trainedSamples,
      seconds: stats.seconds,
      startupSeconds: stats.startupSeconds,
      meanReward: stats.episodes > 0 ? stats.meanReward100 : null,
      stepsPerSecond: stats.stepsPerSecond,
      checkpoint: config.checkpoint,
      backend,
    };
    net.dispose();
    return result;
  }

  /** A snapshot of the running (or just finished) training. */
  checkpoint(): Checkpoint {
    const ctx = this.context;
    if (!ctx) throw new Error('A3C.checkpoint(): no training in progress');
    const { learner, stats } = ctx;
    return {
      config: this.config,
      netSpec: ctx.netSpec as NetSpec,
      weights: learner.net.variables.map((v) => ({ name: v.name, shape: [...v.shape] })),
      params: learner.params,
      optimizer: learner.optimizer.state(),
      counters: { envSteps: stats.envSteps, updates: stats.updates, trainedSamples: stats.trainedSamples, seconds: stats.seconds },
      episodeRewards: stats.episodeRewards,
      episodeEndSteps: stats.episodeEndSteps,
    };
  }
}
