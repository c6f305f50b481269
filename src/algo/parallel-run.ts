import { AgentPool } from '../parallel/agent-pool.js';
import type { AgentMessage } from '../parallel/messages.js';
import { SharedParams } from '../parallel/shared-params.js';
import { Rng } from '../utils/rng.js';
import { stopReason, type StopReason, type TrainingContext } from './trainer.js';

const CHECK_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 1000;

export type AgentWork = Exclude<AgentMessage, { type: 'ready' }>;

/**
 * Runs `config.workers` agent threads against the learner until a stop rule fires: parameters go
 * out through a SharedArrayBuffer, and each agent message is handed to `consume` (the mode's
 * trainer step). Shared by the data- and gradient-parallel modes, which differ only in `consume`.
 */
export async function runWithAgents(
  ctx: TrainingContext,
  consume: (message: AgentWork) => void,
): Promise<StopReason> {
  const { config, learner } = ctx;
  const shared = SharedParams.create(learner.params.length);
  shared.publish(learner.params);
  learner.onPublish((params) => shared.publish(params));
  const seedRng = new Rng(config.seed);
  const seeds = Array.from({ length: config.workers }, () => seedRng.fork() % 2 ** 31);
  const log = (line: string) => ctx.callbacks.onLog?.(line);
  let settle: (result: StopReason | Error) => void = () => {};
  const finished = new Promise<StopReason | Error>((resolve) => (settle = resolve));
  const pool = new AgentPool({ config, netSpec: ctx.netSpec, paramsBuffer: shared.buffer }, seeds, (message) => {
    for (const line of message.envRestarts) log(`agent ${message.agentId}: ${line}`);
    consume(message);
    const reason = stopReason(ctx);
    if (reason) settle(reason);
  }, log);
  const fail = (err: Error) => settle(err);
  ctx.agents = pool;
  await Promise.race([pool.start(fail), finished]);
  ctx.stats.startActing();
  log(`agents: ${config.workers} threads x ${config.envsPerWorker} envs, backend ${pool.backend}`);
  let lastProgress = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      ctx.callbacks.onProgress?.(ctx.stats);
    }
    const reason = stopReason(ctx);
    if (reason) settle(reason);
  }, CHECK_EVERY_MS);
  try {
    const result = await finished;
    if (result instanceof Error) throw result;
    return result;
  } finally {
    clearInterval(timer);
    learner.onPublish(() => {});
    ctx.agents = null;
    await pool.stop();
  }
}
