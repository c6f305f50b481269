import { fitRolloutKey, versionsSince, type Mode } from './mode.js';
import { lossGradients } from '../update/learner.js';
import { LOSS_KEYS, lossStatsProblem, type LossStats } from '../update/loss.js';
import { describeValue } from '../rollout/transition-batch.js';
import { firstOutOfBounds, MAX_ABS_GRADIENT } from '../rollout/input-bounds.js';

/** An agent's gradient of the loss on its rollout, flat in the net's parameter order. */
export interface GradientWork {
  grads: Float32Array;
  stats: LossStats;
  /** Transitions behind the gradient. */
  samples: number;
}

/**
 * Gradient-parallel A3C (Lapan's 02_a3c_grad.py). Agent: computes the loss and its gradient on
 * `gradBatch` transitions with its own network copy and sends the gradient. Trainer: sums
 * `trainBatch` gradient sets, clips the sum by global norm, steps the optimiser (`config.optimizer`)
 * and publishes.
 */
export const gradMode: Mode<GradientWork> = {
  name: 'grad',
  transports: ['threads', 'redis'],
  lockFree: false,
  versionsBehind: versionsSince,
  defaults: {},
  rolloutSize: (config) => config.gradBatch,
  fitRecurrentRollouts: (config, given) => fitRolloutKey(config, given, 'gradBatch', config.envsPerWorker * config.nSteps, 'envsPerWorker x nSteps'),
  validate: () => null,
  agent: (net, { config, obsShape }) => ({
    rolloutSize: gradMode.rolloutSize(config),
    process: (rollout) => ({ ...lossGradients(net, rollout, obsShape, config), samples: rollout.size }),
    lossyWork: true,
  }),
  trainer: (learner, { config }) => {
    const sum = new Float32Array(learner.params.length);
    const statsSum = Object.fromEntries(LOSS_KEYS.map((k) => [k, 0])) as unknown as LossStats;
    let sets = 0;
    let samples = 0;
    return {
      rolloutSize: gradMode.rolloutSize(config),
      check(work) {
        if (typeof work !== 'object' || work === null) return `gradient: expected an object, got ${describeValue(work)}`;
        const w = work as Partial<Record<keyof GradientWork, unknown>>;
        if (!(w.grads instanceof Float32Array) || w.grads.length !== sum.length) return `gradient: grads is ${describeValue(w.grads)}, expected a Float32Array of ${sum.length} (the net's parameters)`;
        const bad = firstOutOfBounds(w.grads, MAX_ABS_GRADIENT);
        if (bad >= 0) return `gradient: grads[${bad}] is ${w.grads[bad]}, not a finite number within ±${MAX_ABS_GRADIENT}`;
        const statsProblem = lossStatsProblem(w.stats);
        if (statsProblem !== null) return `gradient: ${statsProblem}`;
        return w.samples === config.gradBatch ? null : `gradient: samples ${describeValue(w.samples)}, expected ${config.gradBatch}`;
      },
      receive(work) {
        const { grads } = work;
        for (let i = 0; i < sum.length; i++) sum[i] += grads[i];
        for (const key of LOSS_KEYS) statsSum[key] += work.stats[key];
        sets++;
        samples += work.samples;
        if (sets < config.trainBatch) return null;
        // The gradient is the sum of the sets, as the reference's; the loss statistics their mean.
        const meanStats = Object.fromEntries(LOSS_KEYS.map((k) => [k, statsSum[k] / sets])) as unknown as LossStats;
        const update = learner.apply(sum, meanStats, samples);
        sum.fill(0);
        for (const key of LOSS_KEYS) statsSum[key] = 0;
        sets = 0;
        samples = 0;
        return update;
      },
    };
  },
};
