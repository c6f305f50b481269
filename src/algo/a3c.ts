import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { resolveEnvModule } from '../envs/env-module.js';
import { prepareEnvs } from '../envs/prepare-envs.js';
import { make, envSpec, registeredInThisThreadOnly } from '../envs/registry.js';
import { initBackend } from '../nn/kernels/backend.js';
import { createNet, type NetSpec } from '../nn/networks.js';
import { CheckpointError, loadCheckpoint, resolveCheckpointPath, type Checkpoint } from '../io/checkpoint.js';
import { BEST_SNAPSHOT, holdsRun, latestSnapshot, saveToStore, storeOf } from '../io/checkpoint-store.js';
import { RunLog } from '../io/run-log.js';
import { InProcessTransport } from '../parallel/in-process-transport.js';
import { parseRedisUrl } from '../parallel/redis-url.js';
import { RedisTrainerTransport } from '../parallel/redis-trainer.js';
import { ThreadTransport } from '../parallel/thread-transport.js';
import type { TrainerTransport } from '../parallel/transport.js';
import { agentSeed, createAgent, type AgentInit } from './agent.js';
import { checkpointConfig } from './checkpoint-config.js';
import type { HostAgentOptions } from './redis-agent-thread.js';
import { envOptionsFor } from './env-options.js';
import { resolveConfig, withoutSecrets, type TrainConfig } from './config.js';
import { Learner } from './learner.js';
import { actionSizeOf } from './transition-batch.js';
import { modeNamed, type Mode } from './modes/index.js';
import { Normalizer, publishedStatsSize } from './normalization.js';
import { actionLayoutOf, netSpecFor, obsShapeOf } from './policy.js';
import { nextMultiple, periodicEvaluation } from './periodic-evaluation.js';
import { runTraining } from './runner.js';
import { combineCallbacks, runLogCallbacks } from './run-logger.js';
import { RunStats } from './run-stats.js';
import { isSolved, type StopReason, type TrainCallbacks, type TrainingContext } from './training-context.js';

/** Room in an agent message for its envelope, episode records and log lines besides the work. */
const MESSAGE_SLACK_BYTES = 1 << 20;

/**
 * The largest agent message a run can send, in bytes: a gradient set, or a batch of float32
 * transitions (observation, action, value target), and normalisation increments (float64 moments).
 * Larger ones are rejected unread.
 */
function maxMessageBytes(config: TrainConfig, netSpec: NetSpec, numParams: number): number {
  const obsSize = obsShapeOf(netSpec).reduce((a, b) => a * b, 1);
  const actionSize = actionSizeOf(actionLayoutOf(netSpec));
  const rows = Math.max(config.microBatch, config.gradBatch, config.batchSize);
  const increments = Float64Array.BYTES_PER_ELEMENT * 2 * (obsSize + 1);
  return Float32Array.BYTES_PER_ELEMENT * (numParams + rows * (obsSize + actionSize + 1)) + increments + MESSAGE_SLACK_BYTES;
}

/** Each run folder holds its resolved config, for readers such as `a3c plot`. */
export const RUN_CONFIG_FILE = 'run.json';

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
   * `reset_num_timesteps=False`), and maxSeconds excepted (a budget of each process).
   */
  resume?: string;
  /** Password for the transport's Redis when its URL has none (the CLI passes A3C_REDIS_PASSWORD); never saved. */
  redisPassword?: string;
  /** The transport's run secret, which signs and checks what goes through Redis (the CLI passes A3C_RUN_SECRET or --run-secret-file's); never saved. */
  runSecret?: string;
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
  /** The run resumed, and the line saying that a maxSteps given replaces the run's (null where none was given). */
  private readonly resumed: { checkpoint: Checkpoint; path: string; maxStepsNote: string | null } | null;
  private stopRequested = false;
  private running: { ctx: TrainingContext; transport: TrainerTransport } | null = null;
  /** The best periodic evaluation's mean reward so far (saved with every checkpoint). */
  private bestEvalReward: () => number | null = () => null;

  /**
   * @throws ConfigError for an invalid config; CheckpointError for a checkpoint that cannot be
   *   resumed as asked: missing or corrupt, of another env or preset, not the latest of its folder,
   *   or already at the maxSteps it keeps when no new one is given.
   */
  constructor(options: A3COptions = {}) {
    const { callbacks, resume, redisPassword, runSecret, ...config } = options;
    this.redisPassword = redisPassword;
    this.runSecret = runSecret ?? null;
    // Paths are kept absolute, so that a resumed run writes where the first one did, from anywhere.
    if (config.envModule) config.envModule = resolveEnvModule(config.envModule);
    if (config.checkpoint) config.checkpoint = resolvePath(config.checkpoint);
    if (config.logdir) config.logdir = resolvePath(config.logdir);
    if (resume === undefined) {
      this.resumed = null;
      this.config = resolveConfig(config);
      if (this.config.checkpoint !== null && holdsRun(this.config.checkpoint)) {
        throw new CheckpointError(
          `checkpoint folder ${this.config.checkpoint} already holds a run; continue it with --resume ${this.config.checkpoint}, or choose another folder`,
        );
      }
    } else {
      const path = resolveCheckpointPath(resume);
      const checkpoint = loadCheckpoint(path);
      const { maxSeconds: _, ...savedConfig } = checkpointConfig(checkpoint, path);
      if (config.env !== undefined && config.env !== savedConfig.env) {
        throw new CheckpointError(`checkpoint ${path}: trained on ${savedConfig.env}, cannot resume on ${config.env}`);
      }
      // The saved values lie over any preset's, so another preset would change only the name.
      if (config.preset !== undefined && config.preset !== savedConfig.preset) {
        throw new CheckpointError(
          `checkpoint ${path}: trained with preset ${savedConfig.preset ?? 'none'}, and a resumed run keeps its saved values; pass the keys to change as flags instead of --preset ${config.preset}`,
        );
      }
      const replaced = config.maxSteps !== undefined && config.maxSteps !== savedConfig.maxSteps;
      const maxStepsNote = replaced ? `maxSteps ${config.maxSteps ?? 'none'} given: it replaces the run's ${savedConfig.maxSteps ?? 'none'}` : null;
      this.resumed = { checkpoint, path, maxStepsNote };
      // Saves go to the folder resumed from (or --checkpoint), not to wherever the run first saved.
      const store = storeOf(path);
      this.config = resolveConfig(savedConfig, { checkpoint: store ?? savedConfig.checkpoint }, config);
      const target = this.config.checkpoint;
      if (target !== null && holdsRun(target)) {
        if (target !== store) {
          throw new CheckpointError(`checkpoint folder ${target} already holds another run; resume into an empty folder or into the one resumed from`);
        }
        if (latestSnapshot(store) !== resolvePath(path)) {
          throw new CheckpointError(
            `checkpoint ${path} is not the latest of ${store} (${latestSnapshot(store)}): saving there would overwrite that run's later snapshots; ` +
              'resume the latest, or pass --checkpoint with a new folder to branch off',
          );
        }
      }
      const envSteps = checkpoint.counters.envSteps;
      if (config.maxSteps === undefined && this.config.maxSteps !== null && envSteps >= this.config.maxSteps) {
        throw new CheckpointError(`checkpoint ${path}: the run has reached its maxSteps ${this.config.maxSteps} (at ${envSteps} env steps); give --max-steps N above ${envSteps} to train on`);
      }
    }
    this.callbacks = callbacks ?? {};
  }

  /** Asks a running `learn()` to stop after the current update; it still saves its checkpoint. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Ends one agent abruptly, as a crash would: for fault-injection tests of the parallel modes,
   * which report and replace the agent. False when no agent thread runs.
   */
  async crashAgent(agentId: number): Promise<boolean> {
    return (await this.running?.transport.kill(agentId)) ?? false;
  }

  async learn(): Promise<TrainResult> {
    const { config } = this;
    const backend = await initBackend({});
    await prepareEnvs(config.envModule);
    if (config.envModule === null && !modeNamed(config.mode).synchronous && registeredInThisThreadOnly(config.env)) {
      throw new Error(
        `env "${config.env}" is registered in this thread only, and ${config.mode} mode runs its agents on other threads: ` +
          "put the registerEnv call in a module of its own and pass it as envModule (--env-module ./my-env.js), which every agent imports",
      );
    }
    const netSpec = this.checkEnv();
    const net = createNet(netSpec, config.seed);
    const saved = this.resumed?.checkpoint;
    const obsSize = obsShapeOf(netSpec).reduce((a, b) => a * b, 1);
    const mode = modeNamed(config.mode);
    const envStepsAtStart = saved?.counters.envSteps ?? 0;
    const { transport, agentsLabel, envsPerAgent } = this.transportFor(mode, netSpec, net.numParams + publishedStatsSize(config, obsSize), backend, envStepsAtStart);
    const optimizer = mode.optimizer?.(net.numParams, config, (name, length) => {
      if (!transport.shareArray) throw new Error(`mode ${mode.name} needs a transport with shared memory`);
      return transport.shareArray(name, length);
    });
    const learner = new Learner(net, config, optimizer);
    const normalizer = publishedStatsSize(config, obsSize) === 0 ? null : new Normalizer(obsSize, saved?.normalization ?? null);
    const stats = new RunStats(saved?.counters.seconds ?? 0);
    if (saved) {
      learner.load(saved.params);
      learner.optimizer.loadState(saved.optimizer);
      stats.restore({ ...saved.counters, recentRewards: saved.recentRewards });
    }
    const runDir = this.runDir();
    const log = runDir === null ? null : new RunLog(runDir);
    let nextSaveAt = nextMultiple(stats.envSteps, config.saveEvery);
    const periodicSave: TrainCallbacks = {
      onUpdate: () => {
        if (stats.envSteps < nextSaveAt) return;
        saveToStore(config.checkpoint!, this.checkpoint(runDir), config.keepCheckpoints);
        nextSaveAt = nextMultiple(stats.envSteps, config.saveEvery);
      },
    };
    const logCallbacks = log === null ? {} : runLogCallbacks(log);
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
      callbacks: combineCallbacks(this.callbacks, logCallbacks, periodicSave, evaluation.callbacks),
      stopReward: config.stopReward ?? envSpec(config.env).rewardThreshold,
      interrupted: () => this.stopRequested,
    };
    this.running = { ctx, transport };
    let reason: StopReason;
    let checkpointPath: string | null = null;
    try {
      if (saved) {
        const { path, maxStepsNote } = this.resumed!;
        if (maxStepsNote !== null) ctx.callbacks.onLog?.(`${maxStepsNote}${config.lrSchedule === 'linear' ? ', where the linear lr schedule now reaches 0' : ''}`);
        ctx.callbacks.onLog?.(`resuming ${path} at ${stats.envSteps} steps, ${stats.episodes} episodes${config.maxSteps === null ? '' : ` of ${config.maxSteps}`}`);
      }
      const shared = mode.lockFree ? (transport.sharedMemory?.() ?? null) : null;
      const trainer = mode.trainer(learner, { config, obsShape: obsShapeOf(netSpec), shared, envStepsAtStart });
      reason = await runTraining(ctx, { transport, trainer, agentsLabel, envsPerAgent, shared });
      ctx.callbacks.onProgress?.(stats);
      if (config.checkpoint) checkpointPath = saveToStore(config.checkpoint, this.checkpoint(runDir), config.keepCheckpoints);
    } finally {
      this.running = null;
      log?.close();
      net.dispose();
    }
    return {
      env: config.env,
      mode: config.mode,
      solved: isSolved(ctx),
      stopReason: reason,
      steps: stats.envSteps,
      episodes: stats.episodes,
      updates: stats.updates,
      trainedSamples: stats.trainedSamples,
      seconds: stats.seconds,
      startupSeconds: stats.startupSeconds,
      meanReward: stats.episodes > 0 ? stats.meanReward100 : null,
      evalReward: stats.evalReward,
      stepsPerSecond: stats.stepsPerSecond,
      checkpoint: checkpointPath,
      runDir,
      backend,
    };
  }

  /**
   * Synchronous modes run one agent over all `workers x envsPerWorker` env copies in this thread;
   * the others `workers` agent threads, each seeded from the run's seed (a replacement after a
   * crash gets the next seed). `numParams`: the length of the published vector, the network's
   * parameters and the normalisation statistics after them (normalization.ts); `envStepsAtStart`:
   * the run's env steps when this process started it.
   */
  private transportFor(mode: Mode, netSpec: NetSpec, numParams: number, backend: string, envStepsAtStart: number): { transport: TrainerTransport; agentsLabel: string; envsPerAgent: number } {
    const { config } = this;
    if (mode.synchronous) {
      const init: AgentInit = { config, netSpec, seed: config.seed, numEnvs: config.workers * config.envsPerWorker, envStepsAtStart };
      return {
        transport: new InProcessTransport((link) => createAgent(init, link, backend)),
        agentsLabel: `1 in the trainer's thread x ${init.numEnvs} envs`,
        envsPerAgent: init.numEnvs,
      };
    }
    if (config.transport !== null) {
      const target = parseRedisUrl(config.transport, this.redisPassword, { ca: config.redisCa ?? undefined, cert: config.redisCert ?? undefined, key: config.redisKey ?? undefined });
      const agentInit: AgentInit = { config: withoutSecrets(config), netSpec, seed: config.seed, numEnvs: config.envsPerWorker, envStepsAtStart };
      const transport = new RedisTrainerTransport({
        target,
        run: config.run!,
        agentInit,
        numParams,
        maxQueuedPerAgent: config.maxQueuedPerWorker,
        maxMessageBytes: maxMessageBytes(config, netSpec, numParams),
        localAgents: config.workers,
        agentModule: new URL('./redis-agent-thread.js', import.meta.url),
        localAgentOptions: { envModule: config.envModule } satisfies HostAgentOptions,
        secret: this.runSecret,
      });
      return { transport, agentsLabel: `run ${config.run} at ${target.display}, ${config.workers} local and any that join, x ${config.envsPerWorker} envs`, envsPerAgent: config.envsPerWorker };
    }
    const transport = new ThreadTransport({
      agentModule: new URL('./agent-thread.js', import.meta.url),
      agents: config.workers,
      agentInit: (agentId, restart): AgentInit => ({ config, netSpec, seed: agentSeed(config.seed, agentId) + restart, numEnvs: config.envsPerWorker, envStepsAtStart }),
      numParams,
      maxQueuedPerAgent: config.maxQueuedPerWorker,
    });
    return { transport, agentsLabel: `${config.workers} threads x ${config.envsPerWorker} envs`, envsPerAgent: config.envsPerWorker };
  }

  /** The network the env's spaces call for; on resume it must be the checkpoint's. */
  private checkEnv(): NetSpec {
    const { config } = this;
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

  /** A resumed run continues its TensorBoard run; a new one gets `logdir/<env>-<mode>-<time>`. */
  private runDir(): string | null {
    const previous = this.resumed?.checkpoint.runDir;
    if (previous) return previous;
    if (this.config.logdir === null) return null;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = join(this.config.logdir, `${this.config.env.replace(/[^A-Za-z0-9_-]/g, '_')}-${this.config.mode}-${stamp}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, RUN_CONFIG_FILE), JSON.stringify(withoutSecrets(this.config), null, 2));
    return dir;
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
