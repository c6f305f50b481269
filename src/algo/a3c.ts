import { join, resolve as resolvePath } from 'node:path';
import { resolveEnvModule } from '../envs/env-module.js';
import { prepareEnvs } from '../envs/prepare-envs.js';
import { make, envSpec, registeredInThisThreadOnly } from '../envs/registry.js';
import { initBackend } from '../nn/kernels/backend.js';
import { createNet, type ActorCriticNet, type NetSpec } from '../nn/networks.js';
import { CheckpointError, type Checkpoint } from '../io/checkpoint.js';
import { BEST_SNAPSHOT, saveToStore } from '../io/checkpoint-store.js';
import { RunLog } from '../io/run-log.js';
import type { TrainerTransport } from '../parallel/transport.js';
import type { AgentWorkerHost } from '../parallel/web-worker-transport.js';
import { Normalizer, publishedStatsSize } from './agent/normalization.js';
import { envOptionsFor } from './config/env-options.js';
import { withoutSecrets, type TrainConfig } from './config/config.js';
import { modeNamed, type Mode } from './modes/index.js';
import { netSpecFor, obsShapeOf } from './rollout/policy.js';
import { createTransport } from './training/create-transport.js';
import { saveAfterFailure } from './training/failure-checkpoint.js';
import { noCheckpointNote, periodicCheckpoint } from './training/periodic-checkpoint.js';
import { periodicEvaluation } from './training/periodic-evaluation.js';
import { loadResume, logResume, type LoadedCheckpoint, type ResumedRun } from './training/resume.js';
import { createRunFolder } from './training/run-folder.js';
import { combineCallbacks, runLogCallbacks } from './training/run-logger.js';
import { RunStats } from './training/run-stats.js';
import { runTraining, type RunOptions } from './training/runner.js';
import { isSolved, type StopReason, type TrainCallbacks, type TrainingContext } from './training/training-context.js';
import { Learner } from './update/learner.js';

/** The summary a finished run reports (and `a3c train --json` prints). */
export interface TrainResult {
  env: string;
  mode: string;
  /** Reached the stop reward: by the last greedy evaluation with `evalEvery`, else by mean-100 (`isSolved`). */
  solved: boolean;
  stopReason: StopReason;
  steps: number;
  episodes: number;
  updates: number;
  /** Transitions that went through an optimiser step. */
  trainedSamples: number;
  /** Wall time from start to end, start-up and earlier runs of a resumed training included. */
  seconds: number;
  /** Of which start-up (threads, envs, backends) in this process. */
  startupSeconds: number;
  meanReward: number | null;
  /** The last periodic greedy evaluation's mean reward (`evalEvery`), or null. */
  evalReward: number | null;
  /** Env steps per second after start-up. */
  stepsPerSecond: number;
  /** The final checkpoint's folder, or null when none was saved. */
  checkpoint: string | null;
  /** The TensorBoard run folder, or null. */
  runDir: string | null;
  backend: string;
}

export interface A3COptions extends Partial<TrainConfig> {
  callbacks?: TrainCallbacks;
  /**
   * A checkpoint (or checkpoint folder) to continue: network, optimiser state, counters, reward
   * history and TensorBoard run. Its config is used, overridden by the options given here; its
   * maxSteps included, so that the run goes on to the end it was given (SB3's
   * `reset_num_timesteps=False`), and maxSeconds excepted (a budget of each process). A checkpoint
   * already read (the browser page's upload) belongs to no folder: the run saves where `checkpoint` says.
   */
  resume?: string | LoadedCheckpoint;
  /** Password for the transport's Redis when its URL has none (the CLI passes A3C_REDIS_PASSWORD); never saved. */
  redisPassword?: string;
  /** The transport's run secret, which signs and checks what goes through Redis (the CLI passes A3C_RUN_SECRET or --run-secret-file's); never saved. */
  runSecret?: string;
  /**
   * Where the agents of the modes that run them on threads (data, grad, hogwild) run instead: Web
   * Workers, as the browser page starts them (src/parallel/web-worker-transport.ts). Hogwild needs
   * a host that shares memory.
   */
  agentWorkers?: AgentWorkerHost;
}

/** What `learn()` sets up before the run: the context the runner is handed and what is released after. */
interface RunSetUp {
  ctx: TrainingContext;
  transport: TrainerTransport;
  /** The runner's options; the mode's trainer half is made when the run starts. */
  runOptions(): RunOptions;
  runDir: string | null;
  log: RunLog | null;
  net: ActorCriticNet;
  backend: string;
}

/**
 * A3C and A2C on one code path:
 * `await new A3C({ env: 'CartPole-v1', mode: 'data' }).learn()`.
 */
export class A3C {
  readonly config: TrainConfig;
  private readonly callbacks: TrainCallbacks;
  private readonly redisPassword: string | undefined;
  private readonly runSecret: string | null;
  private readonly resumed: ResumedRun | null;
  private readonly agentWorkers: AgentWorkerHost | null;
  private stopRequested = false;
  private running: { ctx: TrainingContext; transport: TrainerTransport } | null = null;
  /** The best periodic evaluation's mean reward so far (saved with every checkpoint). */
  private bestEvalReward: () => number | null = () => null;

  /**
   * @throws ConfigError for an invalid config; CheckpointError for a checkpoint that cannot be
   *   resumed as asked (loadResume, training/resume.ts).
   */
  constructor(options: A3COptions = {}) {
    const { callbacks, resume, redisPassword, runSecret, agentWorkers, ...config } = options;
    this.agentWorkers = agentWorkers ?? null;
    this.redisPassword = redisPassword;
    this.runSecret = runSecret ?? null;
    // Paths are kept absolute, so that a resumed run writes where the first one did, from anywhere.
    if (config.envModule) config.envModule = resolveEnvModule(config.envModule);
    if (config.checkpoint) config.checkpoint = resolvePath(config.checkpoint);
    if (config.logdir) config.logdir = resolvePath(config.logdir);
    ({ config: this.config, resumed: this.resumed } = loadResume(config, resume));
    this.callbacks = callbacks ?? {};
  }

  /** Asks a running `learn()` to stop after the current update; it still saves its checkpoint. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Holds the agents where the transport can (Web Workers): each waits at its next message until
   * `unpause`, and the run does not step meanwhile. False where it cannot, or nothing runs.
   */
  pause(): boolean {
    const transport = this.running?.transport;
    if (transport?.pause === undefined) return false;
    transport.pause();
    return true;
  }

  /** Lets agents held by `pause` go on. */
  unpause(): void {
    this.running?.transport.resume?.();
  }

  /**
   * Ends one agent abruptly, as a crash would: for fault-injection tests of the parallel modes,
   * which report and replace the agent. False when no agent thread runs.
   */
  async crashAgent(agentId: number): Promise<boolean> {
    return (await this.running?.transport.kill(agentId)) ?? false;
  }

  /**
   * Trains until a stop rule fires (training/training-context.ts), then saves the final checkpoint
   * where the config has a checkpoint folder: set-up, run, save. A run that fails first saves its
   * last parameters there where they are finite (saveAfterFailure, training/failure-checkpoint.ts),
   * then throws. A run over a transport without a checkpoint folder says at start that it keeps none.
   * @throws Error for an env registered in this thread only with a mode whose agents run on other
   *   threads; CheckpointError for a resumed network that does not fit the env; the run's first
   *   failure (training/runner.ts).
   */
  async learn(): Promise<TrainResult> {
    const { config } = this;
    const run = await this.setUp();
    const { ctx } = run;
    this.running = { ctx, transport: run.transport };
    try {
      if (this.resumed !== null) logResume(this.resumed, ctx);
      const note = noCheckpointNote(config);
      if (note !== null) ctx.callbacks.onLog?.(note);
      const updatesAtStart = ctx.stats.updates;
      let reason: StopReason;
      try {
        reason = await runTraining(ctx, run.runOptions());
      } catch (err) {
        saveAfterFailure(err as Error, {
          config,
          progressed: ctx.stats.updates > updatesAtStart,
          snapshot: () => this.checkpoint(run.runDir),
          log: (line) => ctx.callbacks.onLog?.(line),
        });
        throw err;
      }
      ctx.callbacks.onProgress?.(ctx.stats);
      const saved = config.checkpoint === null ? null : saveToStore(config.checkpoint, this.checkpoint(run.runDir), config.keepCheckpoints);
      return trainResult(ctx, reason, saved, run);
    } finally {
      this.running = null;
      run.log?.close();
      run.net.dispose();
    }
  }

  /**
   * Everything a run needs before it starts: the backend and env ids, the network the env calls
   * for, the transport, the learner (a resumed run's parameters, optimiser state and counters),
   * and the callbacks: the user's, the run log's, periodic saves and evaluations.
   */
  private async setUp(): Promise<RunSetUp> {
    const { config } = this;
    const backend = await initBackend({});
    await prepareEnvs(config.envModule);
    const mode = modeNamed(config.mode);
    const netSpec = this.checkEnv(mode);
    const net = createNet(netSpec, config.seed);
    const saved = this.resumed?.checkpoint;
    const obsShape = obsShapeOf(netSpec);
    const statsSize = publishedStatsSize(config, obsShape.reduce((a, b) => a * b, 1));
    const envStepsAtStart = saved?.counters.envSteps ?? 0;
    const { transport, agentsLabel, envsPerAgent } = createTransport(mode, { config, netSpec, numParams: net.numParams + statsSize, networkParams: net.numParams, backend, envStepsAtStart, redisPassword: this.redisPassword, runSecret: this.runSecret, agentWorkers: this.agentWorkers });
    const optimizer = mode.optimizer?.(net.numParams, config, (name, length) => {
      if (!transport.shareArray) throw new Error(`mode ${mode.name} needs a transport with shared memory`);
      return transport.shareArray(name, length);
    });
    const learner = new Learner(net, config, optimizer);
    const normalizer = statsSize === 0 ? null : new Normalizer(obsShape.reduce((a, b) => a * b, 1), saved?.normalization ?? null);
    const stats = new RunStats(saved?.counters.seconds ?? 0);
    if (saved) {
      learner.load(saved.params);
      learner.optimizer.loadState(saved.optimizer);
      stats.restore({ ...saved.counters, recentRewards: saved.recentRewards });
    }
    const runDir = this.resumed?.checkpoint.runDir || createRunFolder(config);
    const log = runDir === null ? null : new RunLog(runDir);
    const evaluation = periodicEvaluation({
      config,
      stats,
      snapshot: (bestEvalReward) => ({ ...this.checkpoint(runDir), bestEvalReward }),
      bestEvalReward: saved?.bestEvalReward ?? null,
      // Through the combined hooks: the user's and the run log's.
      onEval: (result, evalStats) => {
        ctx.callbacks.onEval?.(result, evalStats);
        ctx.callbacks.onLog?.(
          `eval at ${evalStats.envSteps} steps: mean reward ${result.meanReward.toFixed(2)} over ${result.episodes} episodes` +
            `${result.best ? (config.checkpoint === null ? ' (best so far)' : ` (best so far, saved to ${join(config.checkpoint, BEST_SNAPSHOT)})`) : ''}`,
        );
      },
    });
    this.bestEvalReward = evaluation.best;
    const ctx: TrainingContext = {
      config,
      netSpec,
      learner,
      normalizer,
      stats,
      callbacks: combineCallbacks(
        this.callbacks,
        log === null ? {} : runLogCallbacks(log),
        periodicCheckpoint({ config, stats, snapshot: () => this.checkpoint(runDir) }),
        evaluation.callbacks,
      ),
      stopReward: config.stopReward ?? envSpec(config.env).rewardThreshold,
      interrupted: () => this.stopRequested,
    };
    const runOptions = (): RunOptions => {
      const shared = mode.lockFree ? (transport.sharedMemory?.() ?? null) : null;
      const trainer = mode.trainer(learner, { config, obsShape, shared, envStepsAtStart });
      return { transport, trainer, agentsLabel, envsPerAgent, shared };
    };
    return { ctx, transport, runOptions, runDir, log, net, backend };
  }

  /**
   * The network the env's spaces call for; on resume it must be the checkpoint's.
   * @throws Error where the env is registered in this thread only and `mode`'s agents run on other threads.
   */
  private checkEnv(mode: Mode): NetSpec {
    const { config } = this;
    if (config.envModule === null && !mode.transports.includes('in-process') && registeredInThisThreadOnly(config.env)) {
      throw new Error(
        `env "${config.env}" is registered in this thread only, and ${config.mode} mode runs its agents on other threads: ` +
          "put the registerEnv call in a module of its own and pass it as envModule (--env-module ./my-env.js), which every agent imports",
      );
    }
    const probe = make(config.env, envOptionsFor(config));
    const { actionSpace, observationSpace } = probe;
    probe.close();
    const netSpec = netSpecFor(observationSpace, actionSpace, config);
    const saved = this.resumed?.checkpoint.netSpec;
    if (saved && JSON.stringify(saved) !== JSON.stringify(netSpec)) {
      throw new CheckpointError(`checkpoint ${this.resumed!.path}: its network ${JSON.stringify(saved)} does not fit ${config.env}, which needs ${JSON.stringify(netSpec)}`);
    }
    return netSpec;
  }

  /** A snapshot of the running training. */
  checkpoint(runDir: string | null = null): Checkpoint {
    if (!this.running) throw new Error('A3C.checkpoint(): no training in progress');
    const { learner, stats, normalizer } = this.running.ctx;
    return {
      config: withoutSecrets(this.config),
      netSpec: this.running.ctx.netSpec,
      weights: learner.net.variables.map((v) => ({ name: v.name, shape: [...v.shape] })),
      params: learner.params,
      optimizer: learner.optimizer.state(),
      counters: { envSteps: stats.envSteps, updates: stats.updates, trainedSamples: stats.trainedSamples, episodes: stats.episodes, seconds: stats.seconds },
      recentRewards: stats.recentRewards,
      runDir,
      normalization: normalizer?.state() ?? null,
      bestEvalReward: this.bestEvalReward(),
    };
  }
}

/** The summary of a finished run: `ctx`'s counters, why it stopped, its final checkpoint (or null). */
function trainResult(ctx: TrainingContext, stopReason: StopReason, checkpoint: string | null, { runDir, backend }: RunSetUp): TrainResult {
  const { config, stats } = ctx;
  return {
    env: config.env,
    mode: config.mode,
    solved: isSolved(ctx),
    stopReason,
    steps: stats.envSteps,
    episodes: stats.episodes,
    updates: stats.updates,
    trainedSamples: stats.trainedSamples,
    seconds: stats.seconds,
    startupSeconds: stats.startupSeconds,
    meanReward: stats.episodes > 0 ? stats.meanReward100 : null,
    evalReward: stats.evalReward,
    stepsPerSecond: stats.stepsPerSecond,
    checkpoint,
    runDir,
    backend,
  };
}
