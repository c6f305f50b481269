import { fitRolloutKey, refusingTransport, type Mode } from './mode.js';
import { A3C_RMSPROP_EPS, SharedAdam, SharedRmsProp, type Optimizer } from '../../nn/optimizers.js';
import { A3C_MAX_GRAD_NORM, type TrainConfig } from '../config/config.js';
import { clipFinite, lossGradients } from '../update/learner.js';
import { lossStatsProblem, type LossStats } from '../update/loss.js';
import { scheduledLr } from '../update/lr-schedule.js';
import { describeValue } from '../rollout/transition-batch.js';

/** The shared array of RMSProp's running mean of squared gradients (the paper's shared g). */
export const SQUARE_AVG = 'rmsprop.squareAvg';

/** What a hogwild agent reports of an update it made itself. */
export interface HogwildWork {
  stats: LossStats;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** The learning rate the update was applied with. */
  lr: number;
  /** Transitions behind the update. */
  samples: number;
}

/** The shared arrays of Adam's moments (ikostrikov/pytorch-a3c's shared exp_avg and exp_avg_sq). */
export const EXP_AVG = 'adam.expAvg';
export const EXP_AVG_SQ = 'adam.expAvgSq';
/**
 * The shared array of Adam's step count: one float32 slot whose 4 bytes the optimiser reads as an
 * Int32Array, so that agents count steps with Atomics and every bias correction uses the global step.
 */
export const ADAM_STEP = 'adam.step';

/**
 * `config.optimizer` over state every agent shares, the arrays taken from `array(name, length)`
 * (the trainer's `shareArray` before the agents start, an agent's shared memory after): the
 * paper's RMSProp with shared statistics g, or Adam with shared moments and step count.
 */
function sharedOptimizer(numParams: number, config: TrainConfig, array: (name: string, length: number) => Float32Array): Optimizer {
  if (config.optimizer === 'rmsprop') {
    return new SharedRmsProp(numParams, { lr: config.lr, alpha: config.rmspropAlpha, eps: config.rmspropEps }, array(SQUARE_AVG, numParams));
  }
  const step = array(ADAM_STEP, 1);
  return new SharedAdam(numParams, { lr: config.lr, eps: config.adamEps }, {
    expAvg: array(EXP_AVG, numParams),
    expAvgSq: array(EXP_AVG_SQ, numParams),
    step: new Int32Array(step.buffer, step.byteOffset, 1),
  });
}

/**
 * The A3C of Mnih et al. 2016 (Algorithm S3): each agent computes the gradient of the loss on its
 * rollout of `gradBatch` transitions, clips it, and applies it itself, without locks, to the
 * parameters every agent shares, with RMSProp statistics also shared (sec. 4; its `defaults`:
 * A3C_RMSPROP_EPS), or with `optimizer` adam Adam's moments and step count shared (ikostrikov/pytorch-a3c's default),
 * at the rate of `lrSchedule` (its `defaults`: linear where maxSteps is set); no trainer sits in
 * the update path; a resumed run's schedule goes on from its checkpoint's env steps. Each agent
 * counts its updates in the shared version (runner.ts counts them from there). The trainer keeps
 * its copy of the shared parameters for checkpoints (its optimiser is over the same shared state,
 * so checkpoints carry the shared statistics and step count). Needs a transport with shared memory.
 */
export const hogwildMode: Mode<HogwildWork> = {
  name: 'hogwild',
  transports: ['threads'],
  lockFree: true,
  // An agent's own update is among the versions since it read the parameters (Mode.versionsBehind).
  versionsBehind: (newest, paramsVersion) => newest - paramsVersion - 1,
  // The paper's lr annealed to 0 over the run (sec. 8), constant where the run has no maxSteps.
  // The paper's RMSProp (eps 0.1) makes steps proportional to the gradient, so the gradient is
  // clipped at 40 as in the paper's open-source reproductions (universe-starter-agent,
  // ikostrikov/pytorch-a3c), not at the Adam modes' 0.1-0.5: CartPole-v1 solved in 12-14 s at
  // 0.5 -> unsolved after 120 s.
  defaults: { maxGradNorm: A3C_MAX_GRAD_NORM, optimizer: 'rmsprop', rmspropEps: A3C_RMSPROP_EPS, lrSchedule: 'linear' },
  rolloutSize: (config) => config.gradBatch,
  fitRecurrentRollouts: (config, given) => fitRolloutKey(config, given, 'gradBatch', config.envsPerWorker * config.nSteps, 'envsPerWorker x nSteps'),
  validate: refusingTransport('mode hogwild shares parameter memory between agent threads'),
  optimizer: (numParams, config, shareArray) => sharedOptimizer(numParams, config, shareArray),
  agent: (net, { config, obsShape, shared, envStepsAtStart }) => {
    if (shared === null) throw new Error('hogwild mode needs shared memory: agents on threads of one process');
    const params = shared.params.subarray(0, net.numParams);
    const optimizer = sharedOptimizer(net.numParams, config, (name) => shared.array(name));
    let updates = 0;
    return {
      rolloutSize: hogwildMode.rolloutSize(config),
      process(rollout) {
        const { grads, stats } = lossGradients(net, rollout, obsShape, config);
        const gradNorm = clipFinite(grads, stats, config.maxGradNorm, updates + 1);
        // The run's env steps so far: those before this process, and the updates all agents
        // counted in the shared version times the gradBatch env steps behind each (version 1:
        // the trainer's first publish).
        optimizer.lr = scheduledLr(config, envStepsAtStart + (shared.bumpVersion() - 1) * config.gradBatch);
        optimizer.step(params, grads);
        updates++;
        return { stats, gradNorm, lr: optimizer.lr, samples: rollout.size };
      },
    };
  },
  trainer: (learner, { config, shared }) => {
    if (shared === null) throw new Error('hogwild mode needs shared memory: agents on threads of one process');
    return {
      rolloutSize: hogwildMode.rolloutSize(config),
      check(work) {
        if (typeof work !== 'object' || work === null) return `hogwild update: expected an object, got ${describeValue(work)}`;
        const w = work as Partial<Record<keyof HogwildWork, unknown>>;
        const statsProblem = lossStatsProblem(w.stats);
        if (statsProblem !== null) return `hogwild update: ${statsProblem}`;
        if (!Number.isFinite(w.gradNorm)) return `hogwild update: gradNorm ${describeValue(w.gradNorm)}, expected a finite number`;
        if (!Number.isFinite(w.lr)) return `hogwild update: lr ${describeValue(w.lr)}, expected a finite number`;
        return w.samples === config.gradBatch ? null : `hogwild update: samples ${describeValue(w.samples)}, expected ${config.gradBatch}`;
      },
      receive(work) {
        learner.load(shared.params.subarray(0, learner.params.length));
        return { ...work.stats, gradNorm: work.gradNorm, lr: work.lr, samples: work.samples };
      },
    };
  },
};
