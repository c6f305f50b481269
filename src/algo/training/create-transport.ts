/**
 * Where a run's agents run: the transport the mode and the config call for (the mode's
 * `transports`, and `config.transport` for Redis), with what each agent starts from.
 */
import type { NetSpec } from '../../nn/networks.js';
import { InProcessTransport } from '../../parallel/in-process-transport.js';
import { RedisTrainerTransport } from '../../parallel/redis-trainer.js';
import { parseRedisUrl } from '../../parallel/redis-url.js';
import { ThreadTransport } from '../../parallel/thread-transport.js';
import type { TrainerTransport } from '../../parallel/transport.js';
import { WebWorkerTransport, type AgentWorkerHost } from '../../parallel/web-worker-transport.js';
import { agentSeed, createAgent, type AgentInit } from '../agent/agent.js';
import type { HostAgentOptions } from '../agent/redis-agent-thread.js';
import { withoutSecrets, type TrainConfig } from '../config/config.js';
import type { Mode, TransportKind } from '../modes/index.js';
import { actionLayoutOf, obsShapeOf } from '../rollout/policy.js';
import { actionSizeOf } from '../rollout/transition-batch.js';

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

export interface TransportOptions {
  config: TrainConfig;
  netSpec: NetSpec;
  /** The length of the published vector: the network's parameters and the normalisation statistics after them (normalization.ts). */
  numParams: number;
  /** The network's parameters, at the head of the published vector: what `--wire-dtype` may round. */
  networkParams: number;
  /** The trainer's tfjs backend, which an in-process agent shares. */
  backend: string;
  /** The run's env steps when this process started it. */
  envStepsAtStart: number;
  /** Password for the transport's Redis when its URL has none; never sent to agents. */
  redisPassword: string | undefined;
  /** The run secret that signs and checks what goes through Redis (null: unsigned); never sent to agents. */
  runSecret: string | null;
  /** Where the agents that would run on threads run instead: Web Workers (the browser page); null: threads. */
  agentWorkers: AgentWorkerHost | null;
}

/** A run's transport, with the start-up line's "how the agents run" and the env copies each agent steps. */
export interface RunTransport {
  transport: TrainerTransport;
  agentsLabel: string;
  envsPerAgent: number;
}

/**
 * The transport of a run of `mode`: over Redis where `config.transport` is set (a mode whose
 * `transports` list 'redis'; resolveConfig refuses the others), else the mode's first transport.
 * In-process: one agent over all `workers x envsPerWorker` env copies in this thread. Threads:
 * `workers` agent threads, each seeded from the run's seed (a replacement after a crash gets the
 * next seed), or as many Web Workers where `agentWorkers` is given. Redis: `workers` local agent
 * threads and any that join, each seeded from its id.
 */
export function createTransport(mode: Mode, options: TransportOptions): RunTransport {
  const { config, netSpec, numParams, backend, envStepsAtStart } = options;
  const kind: TransportKind = config.transport === null ? mode.transports[0] : 'redis';
  if (kind === 'in-process') {
    const init: AgentInit = { config, netSpec, seed: config.seed, numEnvs: config.workers * config.envsPerWorker, envStepsAtStart };
    return {
      transport: new InProcessTransport((link) => createAgent(init, link, backend)),
      agentsLabel: `1 in the trainer's thread x ${init.numEnvs} envs`,
      envsPerAgent: init.numEnvs,
    };
  }
  if (kind === 'redis') {
    const target = parseRedisUrl(config.transport!, options.redisPassword, { ca: config.redisCa ?? undefined, cert: config.redisCert ?? undefined, key: config.redisKey ?? undefined });
    const agentInit: AgentInit = { config: withoutSecrets(config), netSpec, seed: config.seed, numEnvs: config.envsPerWorker, envStepsAtStart };
    const transport = new RedisTrainerTransport({
      target,
      run: config.run!,
      agentInit,
      numParams,
      wireDtype: config.wireDtype,
      lossyValues: options.networkParams,
      maxQueuedPerAgent: config.maxQueuedPerWorker,
      maxMessageBytes: maxMessageBytes(config, netSpec, numParams),
      localAgents: config.workers,
      agentModule: new URL('../agent/redis-agent-thread.js', import.meta.url),
      localAgentOptions: { envModule: config.envModule } satisfies HostAgentOptions,
      secret: options.runSecret,
    });
    return { transport, agentsLabel: `run ${config.run} at ${target.display}, ${config.workers} local and any that join, x ${config.envsPerWorker} envs`, envsPerAgent: config.envsPerWorker };
  }
  const agents = {
    agents: config.workers,
    agentInit: (agentId: number, restart: number): AgentInit => ({ config, netSpec, seed: agentSeed(config.seed, agentId) + restart, numEnvs: config.envsPerWorker, envStepsAtStart }),
    numParams,
    maxQueuedPerAgent: config.maxQueuedPerWorker,
  };
  const host = options.agentWorkers;
  if (host !== null) {
    const memory = host.sharedMemory ? 'shared parameters' : 'posted parameters';
    return { transport: new WebWorkerTransport({ host, ...agents }), agentsLabel: `${config.workers} web workers (${memory}) x ${config.envsPerWorker} envs`, envsPerAgent: config.envsPerWorker };
  }
  const transport = new ThreadTransport({ agentModule: new URL('../agent/agent-thread.js', import.meta.url), ...agents });
  return { transport, agentsLabel: `${config.workers} threads x ${config.envsPerWorker} envs`, envsPerAgent: config.envsPerWorker };
}
