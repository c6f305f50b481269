import { RunLog } from '../../io/run-log.js';
import type { LossStats } from '../update/loss.js';
import type { UpdateStats } from '../update/learner.js';
import type { RunStats } from './run-stats.js';
import type { TrainCallbacks } from './training-context.js';

/**
 * Update and rate scalars are written at most this often; in between, update statistics are
 * averaged. Small-net runs make hundreds of updates a second, and a point per update would cost
 * more than the logging budget (bench/logging-suite.ts); as SB3's `log_interval`, but by time.
 */
const SUMMARY_INTERVAL_MS = 100;

type UpdateScalars = LossStats & { gradNorm: number; lr: number };

/** TensorBoard tag of each averaged update statistic. */
const UPDATE_TAGS: Record<keyof UpdateScalars, string> = {
  total: 'loss_total',
  policy: 'loss_policy',
  value: 'loss_value',
  entropy: 'entropy',
  gradNorm: 'grad_norm',
  lr: 'lr',
  advantageMean: 'adv_mean',
  valueMean: 'values_mean',
};
const UPDATE_KEYS = Object.keys(UPDATE_TAGS) as (keyof UpdateScalars)[];

/**
 * TensorBoard scalars and metrics.csv of a run, against the env-step count: `reward` and
 * `episode_steps` for every episode; `reward_100`, `steps_per_s`, `agents` (connected),
 * `messages_per_s`, `dropped_stale` and `rejected` (agent messages, counted since this process
 * started), `staleness_mean` and `staleness_max` (versions behind, over the last 100 agent
 * messages) and the update statistics
 * (`loss_total`, `loss_policy`, `loss_value`, `entropy`, `grad_norm`, `lr`, `adv_mean`,
 * `values_mean`, each the mean over the updates since the last point) at most every 100 ms, and at the end;
 * `eval_reward` and `eval_episode_steps` after each periodic evaluation.
 */
export function runLogCallbacks(log: RunLog, nowMs: () => number = () => performance.now()): TrainCallbacks {
  const sums = Object.fromEntries(UPDATE_KEYS.map((k) => [k, 0])) as unknown as UpdateScalars;
  let updates = 0;
  let lastSummaryMs = -Infinity;

  const writeSummary = (stats: RunStats) => {
    const { envSteps, meanReward100, stalenessRecent } = stats;
    lastSummaryMs = nowMs();
    if (!Number.isNaN(meanReward100)) log.scalar('reward_100', meanReward100, envSteps);
    log.scalar('steps_per_s', stats.stepsPerSecond, envSteps);
    log.scalar('agents', stats.agents, envSteps);
    log.scalar('messages_per_s', stats.messagesPerSecond, envSteps);
    log.scalar('dropped_stale', stats.droppedStale, envSteps);
    log.scalar('rejected', stats.rejected, envSteps);
    if (stalenessRecent !== null) {
      log.scalar('staleness_mean', stalenessRecent.mean, envSteps);
      log.scalar('staleness_max', stalenessRecent.max, envSteps);
    }
    if (updates === 0) return;
    for (const key of UPDATE_KEYS) {
      log.scalar(UPDATE_TAGS[key], sums[key] / updates, envSteps);
      sums[key] = 0;
    }
    updates = 0;
  };

  return {
    onEpisodes(episodes, stats) {
      for (const e of episodes) {
        log.scalar('reward', e.reward, stats.envSteps);
        log.scalar('episode_steps', e.length, stats.envSteps);
      }
    },
    onUpdate(update: UpdateStats, stats) {
      for (const key of UPDATE_KEYS) sums[key] += update[key];
      updates++;
      if (nowMs() - lastSummaryMs >= SUMMARY_INTERVAL_MS) writeSummary(stats);
    },
    onEval(result, stats) {
      log.scalar('eval_reward', result.meanReward, stats.envSteps);
      log.scalar('eval_episode_steps', result.meanLength, stats.envSteps);
    },
    onProgress(stats) {
      writeSummary(stats);
    },
  };
}

/** Calls each hook of every callback set in order. */
export function combineCallbacks(...sets: TrainCallbacks[]): TrainCallbacks {
  const hooks = ['onProgress', 'onUpdate', 'onEpisodes', 'onLog', 'onEval'] as const;
  const combined: TrainCallbacks = {};
  for (const hook of hooks) {
    const fns = sets.map((s) => s[hook]).filter((f) => f !== undefined) as ((...args: unknown[]) => void)[];
    if (fns.length > 0) (combined as Record<string, unknown>)[hook] = (...args: unknown[]) => fns.forEach((f) => f(...args));
  }
  return combined;
}
