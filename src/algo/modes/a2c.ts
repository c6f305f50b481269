import { fitRolloutKey, refusingTransport, versionsSince, type Mode } from './mode.js';
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
  transports: ['in-process'],
  lockFree: false,
  versionsBehind: versionsSince,
  defaults: {},
  rolloutSize: (config) => config.batchSize,
  fitRecurrentRollouts: (config, given) => fitRolloutKey(config, given, 'batchSize', config.workers * config.envsPerWorker * config.nSteps, 'workers x envsPerWorker x nSteps'),
  validate: refusingTransport("mode a2c runs its one agent in the trainer's thread"),
  agent: (_net, { config }) => ({
    rolloutSize: a2cMode.rolloutSize(config),
    process: (rollout) => rollout,
  }),
  trainer: (learner, { config, obsShape }) => ({
    rolloutSize: a2cMode.rolloutSize(config),
    check: (work) => rolloutProblem(work, a2cMode.rolloutSize(config), obsShape.reduce((a, b) => a * b, 1), actionLayoutOf(learner.net.spec), 2 * learner.net.lstmCells),
    receive: (rollout) => learner.train(rollout, obsShape, config),
  }),
};
