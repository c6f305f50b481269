import { RunLog } from '../io/run-log.js';
import { REWARD_WINDOW } from './run-stats.js';
import type { TrainCallbacks } from './trainer.js';

/**
 * TensorBoard scalars and metrics.csv of a run, against the env-step count: per episode `reward`,
 * `reward_100`, `episode_steps`; per update the loss terms, `grad_norm`, `adv_mean`, `values_mean`;
 * about once a second `steps_per_s`.
 */
export function runLogCallbacks(log: RunLog): Required<Pick<TrainCallbacks, 'onEpisodes' | 'onUpdate' | 'onProgress'>> {
  return {
    onEpisodes(episodes, stats) {
      // Episodes of one message share its step count; the mean is taken as each one is added.
      const rewards = stats.episodeRewards;
      const first = rewards.length - episodes.length;
      episodes.forEach((e, i) => {
        const window = rewards.slice(Math.max(0, first + i + 1 - REWARD_WINDOW), first + i + 1);
        log.scalar('reward', e.reward, stats.envSteps);
        log.scalar('reward_100', window.reduce((a, b) => a + b, 0) / window.length, stats.envSteps);
        log.scalar('episode_steps', e.length, stats.envSteps);
      });
    },
    onUpdate(update, stats) {
      const step = stats.envSteps;
      log.scalar('loss_total', update.total, step);
      log.scalar('loss_policy', update.policy, step);
      log.scalar('loss_value', update.value, step);
      log.scalar('entropy', update.entropy, step);
      log.scalar('grad_norm', update.gradNorm, step);
      log.scalar('adv_mean', update.advantageMean, step);
      log.scalar('values_mean', update.valueMean, step);
    },
    onProgress(stats) {
      log.scalar('steps_per_s', stats.stepsPerSecond, stats.envSteps);
    },
  };
}

/** Calls each hook of every callback set in order. */
export function combineCallbacks(...sets: TrainCallbacks[]): TrainCallbacks {
  const hooks = ['onProgress', 'onUpdate', 'onEpisodes', 'onLog'] as const;
  const combined: TrainCallbacks = {};
  for (const hook of hooks) {
    const fns = sets.map((s) => s[hook]).filter((f) => f !== undefined) as ((...args: unknown[]) => void)[];
    if (fns.length > 0) (combined as Record<string, unknown>)[hook] = (...args: unknown[]) => fns.forEach((f) => f(...args));
  }
  return combined;
}
