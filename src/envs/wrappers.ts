import type { Action, Env, Obs, ResetOptions, ResetResult, StepResult } from './core.js';
import { checkEnvShape, checkResetResult, checkStepResult, formatAction } from './env-checks.js';
import { Box, type Space } from './spaces.js';

/** Forwards everything to the wrapped env; subclasses override the one thing they change (Gymnasium's `Wrapper`). */
export class Wrapper<E extends Env = Env> implements Env {
  constructor(readonly env: E) {}

  get id(): string {
    return this.env.id;
  }

  get observationSpace(): Box {
    return this.env.observationSpace;
  }

  get actionSpace(): Space {
    return this.env.actionSpace;
  }

  get unwrapped(): Env {
    return this.env.unwrapped;
  }

  reset(options?: ResetOptions): ResetResult {
    return this.env.reset(options);
  }

  step(action: Action): StepResult {
    return this.env.step(action);
  }

  close(): void {
    this.env.close();
  }
}

/**
 * Checks the env's first `reset` and first `step` results against the Env contract and its
 * observation space, and its shape on construction (Gymnasium's `PassiveEnvChecker`, which `make`
 * puts right around every env it builds; checking only the first calls keeps it free afterwards).
 * Unlike Gymnasium's, which mostly warns, a violation throws an EnvCheckError whose one-line message
 * names the env id, the method, the field, what was expected and what came (env-checks.ts).
 */
export class PassiveEnvChecker<E extends Env = Env> extends Wrapper<E> {
  private checkedReset = false;
  private checkedStep = false;

  /**
   * `envId` is the id the env was made under, for messages (the env's own `id` may be missing).
   * @throws EnvCheckError when `env` lacks the Env contract's methods or spaces.
   */
  constructor(
    env: E,
    private readonly envId: string = env.id,
  ) {
    checkEnvShape(envId, env);
    super(env);
  }

  override reset(options?: ResetOptions): ResetResult {
    const result = this.env.reset(options);
    if (!this.checkedReset) {
      checkResetResult(this.envId, this.env.observationSpace, result);
      this.checkedReset = true;
    }
    return result;
  }

  override step(action: Action): StepResult {
    const result = this.env.step(action);
    if (!this.checkedStep) {
      checkStepResult(this.envId, this.env.observationSpace, result);
      this.checkedStep = true;
    }
    return result;
  }
}

/** Truncates the episode once `maxEpisodeSteps` steps have elapsed since reset (Gymnasium's `TimeLimit`). */
export class TimeLimit<E extends Env = Env> extends Wrapper<E> {
  private elapsedSteps = 0;

  constructor(
    env: E,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new Error(`TimeLimit(${env.id}): maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  override reset(options?: ResetOptions): ResetResult {
    this.elapsedSteps = 0;
    return this.env.reset(options);
  }

  override step(action: Action): StepResult {
    const result = this.env.step(action);
    this.elapsedSteps += 1;
    if (this.elapsedSteps >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }
}

/**
 * Zeroes the observation entries `velocityIndices` (rl-baselines3-zoo's MaskVelocityWrapper, which
 * registers `<Env>NoVel-v<N>`): a task only a policy with memory can solve, as its state can no
 * longer be read from one observation. The observation space stays the env's.
 */
export class MaskVelocity<E extends Env = Env> extends Wrapper<E> {
  /** @throws Error for an index outside the observation. */
  constructor(
    env: E,
    readonly velocityIndices: readonly number[],
  ) {
    super(env);
    const size = env.observationSpace.size;
    for (const i of velocityIndices) {
      if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`MaskVelocity(${env.id}): index ${i} is outside the observation's ${size} entries`);
    }
  }

  override reset(options?: ResetOptions): ResetResult {
    const result = this.env.reset(options);
    return { ...result, obs: this.masked(result.obs) };
  }

  override step(action: Action): StepResult {
    const result = this.env.step(action);
    return { ...result, obs: this.masked(result.obs) };
  }

  private masked(obs: Obs): Obs {
    const out = obs.slice();
    for (const i of this.velocityIndices) out[i] = 0;
    return out;
  }
}

/** Episode statistics put in `info.episode` on the step that ends an episode. */
export interface EpisodeStatistics {
  /** Undiscounted return. */
  r: number;
  /** Length in steps. */
  l: number;
  /** Seconds since the episode's reset, rounded to microseconds as Gymnasium does. */
  t: number;
}

const DEFAULT_BUFFER_LENGTH = 100;
const MS_PER_S = 1000;
const MICROSECONDS_PER_S = 1e6;

/**
 * Sums rewards and counts steps; when an episode ends, puts `{ r, l, t }` in `info.episode`
 * (Gymnasium's `RecordEpisodeStatistics`) and keeps the last `bufferLength` returns and lengths.
 */
export class RecordEpisodeStatistics<E extends Env = Env> extends Wrapper<E> {
  /** Returns of the last `bufferLength` episodes, oldest first. */
  readonly returnQueue: number[] = [];
  /** Lengths of the last `bufferLength` episodes, oldest first. */
  readonly lengthQueue: number[] = [];
  private episodes = 0;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStartMs = performance.now();

  constructor(
    env: E,
    readonly bufferLength = DEFAULT_BUFFER_LENGTH,
  ) {
    super(env);
    if (!Number.isInteger(bufferLength) || bufferLength <= 0) {
      throw new Error(`RecordEpisodeStatistics(${env.id}): bufferLength must be a positive integer, got ${bufferLength}`);
    }
  }

  /** Episodes ended since construction. */
  get episodeCount(): number {
    return this.episodes;
  }

  override reset(options?: ResetOptions): ResetResult {
    const result = this.env.reset(options);
    this.episodeStartMs = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return result;
  }

  override step(action: Action): StepResult {
    const result = this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength += 1;
    if (result.terminated || result.truncated) {
      if ('episode' in result.info) throw new Error(`RecordEpisodeStatistics(${this.id}): info.episode is already set; is the env wrapped twice?`);
      const seconds = (performance.now() - this.episodeStartMs) / MS_PER_S;
      const stats: EpisodeStatistics = {
        r: this.episodeReturn,
        l: this.episodeLength,
        t: Math.round(seconds * MICROSECONDS_PER_S) / MICROSECONDS_PER_S,
      };
      result.info.episode = stats;
      pushBounded(this.returnQueue, stats.r, this.bufferLength);
      pushBounded(this.lengthQueue, stats.l, this.bufferLength);
      this.episodes += 1;
      this.episodeStartMs = performance.now();
    }
    return result;
  }
}

function pushBounded(queue: number[], value: number, maxLength: number): void {
  queue.push(value);
  if (queue.length > maxLength) queue.shift();
}

/**
 * Clips continuous actions into the env's Box before stepping (Gymnasium's `ClipAction`), for
 * Gaussian policies whose samples fall outside the bounds; the wrapper accepts any real action.
 */
export class ClipAction<E extends Env = Env> extends Wrapper<E> {
  private readonly bounds: Box;
  private readonly unboundedActionSpace: Box;

  constructor(env: E) {
    super(env);
    const space = env.actionSpace;
    if (space.kind !== 'box') throw new Error(`ClipAction(${env.id}): needs a Box action space, got ${space}`);
    this.bounds = space;
    this.unboundedActionSpace = new Box(-Infinity, Infinity, space.shape, space.dtype);
  }

  override get actionSpace(): Box {
    return this.unboundedActionSpace;
  }

  override step(action: Action): StepResult {
    const { low, high, size } = this.bounds;
    if (typeof action === 'number' || action.length !== size) {
      throw new Error(`ClipAction(${this.id}).step: action ${formatAction(action)} must have ${size} elements`);
    }
    // Keep float32 actions float32, as np.clip does: envs follow numpy's dtype rules (numpy-scalars.ts).
    const clipped = action instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
    for (let i = 0; i < size; i++) clipped[i] = Math.min(Math.max(action[i], low[i]), high[i]);
    return this.env.step(clipped);
  }
}
