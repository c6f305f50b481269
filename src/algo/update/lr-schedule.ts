/**
 * The learning-rate schedules of `lrSchedule` (config.ts), in one place for every mode: the
 * trainer's learner sets its optimiser's rate from the run's env steps before each update
 * (runner.ts), and hogwild's agents set theirs before each update they apply themselves.
 */
import type { TrainConfig } from '../config/config.js';

/**
 * The learning rate of an update made after `envSteps` env steps of the run: `lr` under
 * `constant`; under `linear`, `lr * (1 - envSteps / maxSteps)`, 0 from maxSteps on (Mnih et al.
 * 2016, sec. 8; OpenAI Baselines' lrschedule 'linear'; SB3's linear_schedule).
 * @throws Error for `linear` without maxSteps, a config resolveConfig refuses.
 */
export function scheduledLr(config: Pick<TrainConfig, 'lr' | 'lrSchedule' | 'maxSteps'>, envSteps: number): number {
  if (config.lrSchedule === 'constant') return config.lr;
  if (config.maxSteps === null) throw new Error('lrSchedule linear needs maxSteps, the step at which the lr reaches 0');
  return config.lr * Math.max(0, 1 - envSteps / config.maxSteps);
}
