import { concatTransitions, type TransitionArrays } from './transition-batch.js';
import { runWithAgents } from './parallel-run.js';
import { recordEpisodes, recordUpdate, type StopReason, type TrainingContext } from './trainer.js';

/**
 * Data-parallel A3C (Lapan's 01_a3c_data.py): agents send micro-batches of n-step transitions
 * with value targets they bootstrapped with their own network copy; the trainer trains on each
 * `batchSize` of them and publishes the new parameters, which agents pick up without stopping.
 */
export function trainDataParallel(ctx: TrainingContext): Promise<StopReason> {
  const { config, learner, stats } = ctx;
  const obsShape = obsShapeOf(ctx);
  let pending: TransitionArrays[] = [];
  let pendingRows = 0;
  return runWithAgents(ctx, (message) => {
    if (message.type !== 'transitions') throw new Error(`data mode got a "${message.type}" message from agent ${message.agentId}`);
    stats.envSteps += message.envSteps;
    recordEpisodes(ctx, message.episodes);
    pending.push(message.batch);
    pendingRows += message.batch.size;
    if (pendingRows < config.batchSize) return;
    const batch = concatTransitions(pending);
    pending = [];
    pendingRows = 0;
    recordUpdate(ctx, learner.train(batch, obsShape, config.entCoef));
  });
}

function obsShapeOf(ctx: TrainingContext): readonly number[] {
  const spec = ctx.netSpec;
  return spec.kind === 'atari' ? spec.inputShape : [spec.obsSize];
}
