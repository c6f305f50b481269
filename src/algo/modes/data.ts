import { ConfigError } from '../config/config.js';
import { fitRolloutKey, versionsSince, type Mode } from './mode.js';
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
  transports: ['threads', 'redis'],
  lockFree: false,
  versionsBehind: versionsSince,
  defaults: {},
  rolloutSize: (config) => config.microBatch,
  // Each message is one rollout; an update takes a whole number of them.
  fitRecurrentRollouts(config, given) {
    const rollout = config.envsPerWorker * config.nSteps;
    fitRolloutKey(config, given, 'microBatch', rollout, 'envsPerWorker x nSteps');
    const batches = given.batchSize === undefined ? 1 : given.batchSize / rollout;
    if (!Number.isInteger(batches)) {
      throw new ConfigError(`policy lstm trains on whole rollouts: batchSize must be a multiple of envsPerWorker x nSteps = ${rollout}, got ${given.batchSize}`);
    }
    config.batchSize = batches * rollout;
  },
  validate: () => null,
  agent: (_net, { config }) => ({
    rolloutSize: dataMode.rolloutSize(config),
    process: (rollout) => rollout,
  }),
  trainer: (learner, { config, obsShape }) => {
    let pending: TransitionArrays[] = [];
    let pendingRows = 0;
    const obsSize = obsShape.reduce((a, b) => a * b, 1);
    return {
      rolloutSize: dataMode.rolloutSize(config),
      check: (work) => rolloutProblem(work, dataMode.rolloutSize(config), obsSize, actionLayoutOf(learner.net.spec), 2 * learner.net.lstmCells),
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
