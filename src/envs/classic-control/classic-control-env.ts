import type { Action, ResetOptions, ResetResult, StatefulEnv, StepResult } from '../core.js';
import { assignState, checkAction, rngForReset, stepBeforeResetError } from '../env-checks.js';
import { NumpyGenerator } from '../../utils/numpy-random.js';
import type { Box, Space } from '../spaces.js';

/**
 * What every classic-control env shares, as Gymnasium's `Env` base: it owns its `np_random` (numpy's
 * PCG64 generator, reseeded only when `reset` is given a seed, so a seed gives Gymnasium's start
 * state and later unseeded resets continue Gymnasium's stream), refuses `step` before `reset` and
 * actions outside its action space, and exposes its float64 physical state. A subclass supplies its
 * spaces, the start-state draw, the physics of one step and, where it is not the state cast to
 * float32, the observation.
 */
export abstract class ClassicControlEnv implements StatefulEnv {
  abstract readonly observationSpace: Box;
  abstract readonly actionSpace: Space;
  /** The physical state in float64, laid out as `stateLayout`. */
  protected readonly physicalState: Float64Array;
  /** Starts from OS entropy, as Gymnasium's unseeded `np_random`. */
  private rng = new NumpyGenerator();
  private hasReset = false;

  /** `stateLayout` names the state variables in order, e.g. '[position, velocity]', for error messages. */
  protected constructor(
    readonly id: string,
    stateSize: number,
    private readonly stateLayout: string,
  ) {
    this.physicalState = new Float64Array(stateSize);
  }

  get unwrapped(): this {
    return this;
  }

  /** The physical state laid out as the env's state layout, a live view; zeros until the first reset. */
  get state(): Float64Array {
    return this.physicalState;
  }

  set state(value: ArrayLike<number>) {
    assignState(this.id, this.physicalState, value, this.stateLayout);
  }

  reset(options: ResetOptions = {}): ResetResult {
    this.rng = rngForReset(this.id, this.rng, options.seed);
    this.startEpisode(this.rng);
    this.hasReset = true;
    return { obs: this.observation(), info: {} };
  }

  step(action: Action): StepResult {
    if (!this.hasReset) throw stepBeforeResetError(this.id);
    checkAction(this, action);
    return this.advance(action);
  }

  close(): void {}

  /**
   * Draws the start state into `physicalState` from `rng`, with Gymnasium's `np_random.uniform` calls
   * in Gymnasium's order, and clears any per-episode fields.
   */
  protected abstract startEpisode(rng: NumpyGenerator): void;

  /** One step of the physics, called by `step` once reset has been called and `action` is in the action space. */
  protected abstract advance(action: Action): StepResult;

  /** The observation of the current state: by default the state cast to float32. */
  protected observation(): Float32Array {
    return Float32Array.from(this.physicalState);
  }
}
