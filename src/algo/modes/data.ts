import type { Mode } from './mode.js';
import { actionLayoutOf } from '../rollout/policy.js';
import { joinRollouts, rolloutProblem } from '../rollout/sequences.js';
import type { TransitionArrays } from '../rollout/transition-batch.js';

/**
 * Data-parallel A3C (Lapan's 01_a3c_data.py). Agent: sends micro-batches of `microBatch` n-step
 * transitions whose value targets it bootstrapped with its own network copy (a recurrent policy's:
 * one forward-view rollout with the LSTM states it began from). Trainer: trains on each
 * `batchSize` transitions received (recurrent rollouts side by side, sequences.ts) and publishes
 * the new parameters.
 */
export const dataMode: Mode<TransitionArrays> = {
  name: 'data',
  synchronous: false,
  lockFree: false,
  agent: (_net, { config }) => ({
    rolloutSize: config.microBatch,
    process: (rollout) => rollout,
  }),
  trainer: (learner, { config, obsShape }) => {
    let pending: TransitionArrays[] = [];
    let pendingRows = 0;
    const obsSize = obsShape.reduce((a, b) => a * b, 1);
    return {
      rolloutSize: config.microBatch,
      check: (work) => rolloutProblem(work, config.microBatch, obsSize, actionLayoutOf(learner.net.spec), 2 * learner.net.lstmCells),
      receive(rollout) {
        pending.push(rollout);
        pendingRows += rollout.size;
        if (pendingRows < config.batchSize) return null;
        const batch = joinRollouts(pending);
        pending = [];
        pendingRows = 0;
        return learner.train(batch, obsShape, config);
      },
    };
  },
};
