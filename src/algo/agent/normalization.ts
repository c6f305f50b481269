/**
 * Observation and reward normalisation (Stable-Baselines3's VecNormalize) kept consistent across
 * agents: the statistics travel with the parameters.
 *
 * - Each agent steps its envs through a VecNormalize that normalises with the statistics the
 *   trainer last published, and sends, in each report, the moments of what it saw since its
 *   previous report (observations, discounted returns).
 * - The trainer merges those increments into one RunningMeanStd each (Chan et al.'s parallel
 *   merge, order-free) and publishes them after the network's parameters in the same vector, so
 *   agents at one parameter version normalise alike, on every transport. In the lock-free mode,
 *   where agents write the parameters themselves, it writes them in place after the parameters in
 *   the shared memory (runner.ts).
 * - Checkpoints save the merged statistics (count, mean, var); resume continues them and eval,
 *   play and export normalise observations with them.
 */
import type { NormalizationState } from '../../io/checkpoint.js';
import { RunningMeanStd, type Moments } from '../../envs/running-mean-std.js';
import type { NormalizationIncrements, VecNormalize } from '../../envs/vec-normalize.js';
import type { TrainConfig } from '../config/config.js';

/**
 * Floats published after the network's parameters: `[obs mean (obsSize), obs var (obsSize),
 * return var (1)]`, or none without normalisation.
 */
export function publishedStatsSize(config: Pick<TrainConfig, 'normalizeObs' | 'normalizeReward'>, obsSize: number): number {
  return config.normalizeObs || config.normalizeReward ? 2 * obsSize + 1 : 0;
}

/** The trainer's merged statistics. */
export class Normalizer {
  readonly obs: RunningMeanStd;
  /** `[1]`: moments of the discounted returns. */
  readonly ret: RunningMeanStd;

  /** SB3's starting statistics, or a checkpoint's. @throws Error when `saved` does not fit `obsSize`. */
  constructor(
    readonly obsSize: number,
    saved: NormalizationState | null = null,
  ) {
    if (saved === null) {
      this.obs = new RunningMeanStd(obsSize, true);
      this.ret = new RunningMeanStd(1, true);
      return;
    }
    const fromSaved = (m: NormalizationState['obs']) => RunningMeanStd.from({ count: m.count, mean: Float64Array.from(m.mean), var: Float64Array.from(m.var) });
    this.obs = fromSaved(saved.obs);
    this.ret = fromSaved(saved.ret);
    if (this.obs.size !== obsSize || this.ret.size !== 1) {
      throw new Error(`saved normalisation statistics are for ${this.obs.size} observations and ${this.ret.size} returns; the env has ${obsSize} and 1`);
    }
  }

  /** Merges one agent's increments (checked by `problem`). */
  merge(increments: NormalizationIncrements): void {
    this.obs.merge(increments.obs);
    this.ret.merge(increments.ret);
  }

  /** Why `value`, which may come from another process, is not increments for this env, or null when it is. */
  problem(value: unknown): string | null {
    if (typeof value !== 'object' || value === null) return 'normalization: expected the increments {obs, ret}';
    const { obs, ret } = value as Partial<Record<keyof NormalizationIncrements, unknown>>;
    return momentsProblem('normalization.obs', obs, this.obsSize) ?? momentsProblem('normalization.ret', ret, 1);
  }

  /** A new vector: `params` followed by the statistics agents normalise with (publishedStatsSize). */
  appendTo(params: Float32Array): Float32Array {
    const out = new Float32Array(params.length + 2 * this.obsSize + 1);
    out.set(params);
    this.writeStats(out.subarray(params.length));
    return out;
  }

  /** Writes the published statistics into `out` (`[2 * obsSize + 1]`): in place in shared memory for lock-free modes. */
  writeStats(out: Float32Array): void {
    const n = this.obsSize;
    out.set(this.obs.mean, 0);
    out.set(this.obs.var, n);
    out[2 * n] = this.ret.var[0];
  }

  /** The statistics as a checkpoint keeps them. */
  state(): NormalizationState {
    const saved = (m: Moments) => ({ count: m.count, mean: Array.from(m.mean), var: Array.from(m.var) });
    return { obs: saved(this.obs), ret: saved(this.ret) };
  }
}

/** Makes `env` normalise with the statistics published after the parameters (`stats`, publishedStatsSize long). */
export function adoptPublishedStats(env: VecNormalize, stats: Float32Array): void {
  const n = env.obsStats.size;
  if (stats.length !== 2 * n + 1) throw new Error(`published statistics have ${stats.length} values; ${n} observations need ${2 * n + 1}`);
  env.obsStats.mean.set(stats.subarray(0, n));
  env.obsStats.var.set(stats.subarray(n, 2 * n));
  env.retStats.var[0] = stats[2 * n];
}

function momentsProblem(what: string, value: unknown, size: number): string | null {
  if (typeof value !== 'object' || value === null) return `${what}: expected {count, mean, var}`;
  const m = value as Partial<Record<keyof Moments, unknown>>;
  if (typeof m.count !== 'number' || !(m.count >= 0) || !Number.isFinite(m.count)) return `${what}.count is not a finite number >= 0`;
  for (const key of ['mean', 'var'] as const) {
    const a = m[key];
    if (!(a instanceof Float64Array) || a.length !== size) return `${what}.${key} is not a Float64Array of ${size}`;
    if (!a.every((v) => Number.isFinite(v))) return `${what}.${key} holds a non-finite value`;
  }
  return (m.var as Float64Array).every((v) => v >= 0) ? null : `${what}.var holds a negative value`;
}
