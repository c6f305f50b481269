import type { Mode } from './mode.js';
import { actionLayoutOf } from '../rollout/policy.js';
import { rolloutProblem } from '../rollout/sequences.js';
import type { TransitionArrays } from '../rollout/transition-batch.js';

/**
 * Synchronous A2C, the baseline the parallel modes are compared with. Agent: one, in the
 * trainer's thread, stepping all `workers x envsPerWorker` env copies and sending each
 * `batchSize` transitions. Trainer: trains on every rollout, so the agent always acts with the
 * newest parameters (no staleness).
 */
export const a2cMode: Mode<TransitionArrays> = {
  name: 'a2c',
  synchronous: true,
  lockFree: false,
  agent: (_net, { config }) => ({
    rolloutSize: config.batchSize,
    process: (rollout) => rollout,
  }),
  trainer: (learner, { config, obsShape }) => ({
    rolloutSize: config.batchSize,
    check: (work) => rolloutProblem(work, config.batchSize, obsShape.reduce((a, b) => a * b, 1), actionLayoutOf(learner.net.spec), 2 * learner.net.lstmCells),
    receive: (rollout) => learner.train(rollout, obsShape, config),
  }),
};
