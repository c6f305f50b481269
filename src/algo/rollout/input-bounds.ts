/**
 * Bounds on the numbers an agent message may carry (docs/architecture.md: remote input is untrusted). Work
 * outside them is rejected and counted (runner.ts), so that no single message, however it was
 * made, can make the trainer's loss or update non-finite (which ends a run), or mark a run solved.
 */

/**
 * |value| of a float32 observation or a Box action: far above what the project's envs give (and
 * normalised observations are clipped at 10), far enough below float32's 3.4e38 that a forward
 * pass and a Gaussian log-density of such inputs stay finite.
 */
export const MAX_ABS_INPUT = 1e6;

/**
 * |value target| and |episode reward|: far above any return of the project's envs; the squared
 * error of such targets (about 1e18) stays finite in float32.
 */
export const MAX_ABS_RETURN = 1e9;

/**
 * |gradient value| and |loss term|: the float32 sum of up to 1e8 such gradients (trainBatch) stays
 * below float32's 3.4e38.
 */
export const MAX_ABS_GRADIENT = 1e30;

/** The index of the first value of `values` that is NaN, infinite or larger than `maxAbs` in magnitude, or -1. */
export function firstOutOfBounds(values: ArrayLike<number>, maxAbs: number): number {
  for (let i = 0; i < values.length; i++) if (!(Math.abs(values[i]) <= maxAbs)) return i;
  return -1;
}

/** Whether `v` is a finite number of magnitude at most `maxAbs`. */
export function isWithin(v: unknown, maxAbs: number): v is number {
  return typeof v === 'number' && Math.abs(v) <= maxAbs;
}
