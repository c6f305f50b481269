/**
 * Running mean and variance of vectors, merged batch by batch with the parallel algorithm of Chan,
 * Golub and LeVeque (1979), as Stable-Baselines3's `common/running_mean_std.py` does: any split of
 * the same data into batches, merged in any order, gives the same moments (up to rounding), so
 * agents can each gather a part and a trainer merge them.
 */

/** Moments of `count` vectors of one size: the plain data that crosses threads and goes into checkpoints. */
export interface Moments {
  /** Vectors seen; SB3 starts the statistics it normalises with at 1e-4 (its epsilon), not 0. */
  count: number;
  /** `[size]` mean. */
  mean: Float64Array;
  /** `[size]` population variance (divided by count). */
  var: Float64Array;
}

/** SB3's RunningMeanStd(epsilon=1e-4): the count a new statistic starts with, so that var 1 has a little weight. */
export const INITIAL_COUNT = 1e-4;

export class RunningMeanStd implements Moments {
  count: number;
  readonly mean: Float64Array;
  readonly var: Float64Array;

  /**
   * Empty (count 0, mean 0, var 0) for gathering increments, or `initial`: SB3's start, count
   * INITIAL_COUNT, mean 0, var 1, for statistics something is normalised with.
   */
  constructor(
    readonly size: number,
    initial = false,
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new Error(`RunningMeanStd: size must be a positive integer, got ${size}`);
    this.count = initial ? INITIAL_COUNT : 0;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(initial ? 1 : 0);
  }

  /** A copy of `moments`. @throws Error when their arrays are not of one size. */
  static from(moments: Moments): RunningMeanStd {
    const stats = new RunningMeanStd(moments.mean.length);
    if (moments.var.length !== stats.size) throw new Error(`RunningMeanStd.from: mean has ${stats.size} values, var ${moments.var.length}`);
    stats.count = moments.count;
    stats.mean.set(moments.mean);
    stats.var.set(moments.var);
    return stats;
  }

  /** Merges the `rows` vectors of `batch` (`[rows, size]` row-major). */
  update(batch: ArrayLike<number>, rows: number): void {
    if (batch.length !== rows * this.size) throw new Error(`RunningMeanStd.update: ${batch.length} values are not ${rows} rows of ${this.size}`);
    if (rows === 0) return;
    const mean = new Float64Array(this.size);
    const variance = new Float64Array(this.size);
    for (let r = 0; r < rows; r++) for (let i = 0; i < this.size; i++) mean[i] += batch[r * this.size + i];
    for (let i = 0; i < this.size; i++) mean[i] /= rows;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < this.size; i++) variance[i] += (batch[r * this.size + i] - mean[i]) ** 2;
    }
    for (let i = 0; i < this.size; i++) variance[i] /= rows;
    this.merge({ count: rows, mean, var: variance });
  }

  /**
   * Merges other moments (SB3's update_from_moments): with delta = mean_b - mean_a and n = n_a + n_b,
   * mean = mean_a + delta n_b / n and var = (var_a n_a + var_b n_b + delta^2 n_a n_b / n) / n.
   */
  merge(other: Moments): void {
    if (other.mean.length !== this.size || other.var.length !== this.size) {
      throw new Error(`RunningMeanStd.merge: moments of size ${other.mean.length} into statistics of size ${this.size}`);
    }
    if (other.count === 0) return;
    const total = this.count + other.count;
    for (let i = 0; i < this.size; i++) {
      const delta = other.mean[i] - this.mean[i];
      const m2 = this.var[i] * this.count + other.var[i] * other.count + (delta * delta * this.count * other.count) / total;
      this.mean[i] += (delta * other.count) / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  /** Back to empty. */
  clear(): void {
    this.count = 0;
    this.mean.fill(0);
    this.var.fill(0);
  }

  /** A copy of the moments as plain data. */
  moments(): Moments {
    return { count: this.count, mean: this.mean.slice(), var: this.var.slice() };
  }
}
