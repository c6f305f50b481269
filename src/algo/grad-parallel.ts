import type { LossStats } from './loss.js';
import { runWithAgents } from './parallel-run.js';
import { recordEpisodes, recordUpdate, type StopReason, type TrainingContext } from './trainer.js';

/**
 * Gradient-parallel A3C (Lapan's 02_a3c_grad.py): each agent computes the loss and its gradient
 * on `gradBatch` transitions; the trainer sums `trainBatch` gradient sets, clips the sum by global
 * norm, steps Adam and publishes the parameters.
 */
export function trainGradParallel(ctx: TrainingContext): Promise<StopReason> {
  const { config, learner, stats } = ctx;
  const sum = new Float32Array(learner.params.length);
  const statsSum: LossStats = { total: 0, policy: 0, value: 0, entropy: 0, advantageMean: 0, valueMean: 0 };
  let sets = 0;
  let samples = 0;
  return runWithAgents(ctx, (message) => {
    if (message.type !== 'gradients') throw new Error(`grad mode got a "${message.type}" message from agent ${message.agentId}`);
    stats.envSteps += message.envSteps;
    recordEpisodes(ctx, message.episodes);
    const grads = message.grads;
    for (let i = 0; i < sum.length; i++) sum[i] += grads[i];
    for (const key of Object.keys(statsSum) as (keyof LossStats)[]) statsSum[key] += message.stats[key];
    sets++;
    samples += message.samples;
    if (sets < config.trainBatch) return;
    // Loss statistics are averaged over the summed sets; the gradient is their sum, as the reference.
    for (const key of Object.keys(statsSum) as (keyof LossStats)[]) statsSum[key] /= sets;
    recordUpdate(ctx, learner.apply(sum, statsSum, samples));
    sum.fill(0);
    for (const key of Object.keys(statsSum) as (keyof LossStats)[]) statsSum[key] = 0;
    sets = 0;
    samples = 0;
  });
}
