import { Agent } from './agent.js';
import type { VectorEnv } from '../envs/core.js';
import { recordEpisodes, recordUpdate, stopReason, type StopReason, type TrainingContext } from './trainer.js';

/** Yield to the event loop this often so Ctrl-C and timers are seen. */
const YIELD_EVERY_MS = 200;
const PROGRESS_EVERY_MS = 1000;

/**
 * Synchronous A2C baseline: one thread, one agent stepping workers x envsPerWorker env copies,
 * training on each `batchSize` transitions with the learner's own network (no staleness).
 */
export async function trainA2C(ctx: TrainingContext, env: VectorEnv): Promise<StopReason> {
  const { config, learner, stats } = ctx;
  const agent = new Agent(env, learner.net, { gamma: config.gamma, nSteps: config.nSteps, seed: config.seed });
  stats.startActing();
  let lastYield = performance.now();
  let lastProgress = lastYield;
  for (;;) {
    const batch = agent.collect(config.batchSize);
    stats.envSteps += agent.takeEnvSteps();
    recordEpisodes(ctx, agent.takeEpisodes());
    for (const line of agent.takeEnvRestarts()) ctx.callbacks.onLog?.(line);
    recordUpdate(ctx, learner.train(batch, agent.obsShape, config.entCoef));
    const now = performance.now();
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      ctx.callbacks.onProgress?.(stats);
    }
    if (now - lastYield >= YIELD_EVERY_MS) {
      lastYield = now;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reason = stopReason(ctx);
    if (reason) return reason;
  }
}
