import type { Action, ResetOptions, ResetResult, StatefulEnv, StepResult } from '../core.js';
import { assignState, checkAction, rngForReset, stepBeforeResetError } from '../env-checks.js';
import { Rng } from '../rng.js';
import { Box, Discrete } from '../spaces.js';

// Constants named as Gymnasium 1.3.0's classic_control/mountain_car.py.
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const FORCE = 0.001;
const GRAVITY = 0.0025;
/** The start position is uniform in [RESET_LOW, RESET_HIGH], the start velocity 0. */
const RESET_LOW = -0.6;
const RESET_HIGH = -0.4;
const STATE_LAYOUT = '[position, velocity]';

export interface MountainCarOptions {
  /** Velocity the car must also reach at the goal (Gymnasium's `goal_velocity`, default 0). */
  goalVelocity?: number;
}

/** Gymnasium's MountainCarEnv (discrete actions: push left, none, right), step for step in float64. */
export class MountainCarEnv implements StatefulEnv {
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED], [2]);
  readonly actionSpace = new Discrete(3);
  private readonly physicalState = new Float64Array(2);
  private readonly goalVelocity: number;
  private rng = new Rng();
  private hasReset = false;

  constructor(
    readonly id = 'MountainCar-v0',
    options: MountainCarOptions = {},
  ) {
    this.goalVelocity = options.goalVelocity ?? 0;
  }

  get unwrapped(): this {
    return this;
  }

  /** [position, velocity], a live view; zeros until the first reset. */
  get state(): Float64Array {
    return this.physicalState;
  }

  set state(value: ArrayLike<number>) {
    assignState(this.id, this.physicalState, value, STATE_LAYOUT);
  }

  reset(options: ResetOptions = {}): ResetResult {
    this.rng = rngForReset(this.id, this.rng, options.seed);
    this.physicalState[0] = this.rng.uniform(RESET_LOW, RESET_HIGH);
    this.physicalState[1] = 0;
    this.hasReset = true;
    return { obs: Float32Array.from(this.physicalState), info: {} };
  }

  step(action: Action): StepResult {
    if (!this.hasReset) throw stepBeforeResetError(this.id);
    checkAction(this, action);
    const s = this.physicalState;
    let position = s[0];
    let velocity = s[1];
    velocity += ((action as number) - 1) * FORCE + Math.cos(3 * position) * -GRAVITY;
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
    // The left wall is inelastic.
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    s[0] = position;
    s[1] = velocity;
    return { obs: Float32Array.from(s), reward: -1.0, terminated, truncated: false, info: {} };
  }

  close(): void {}
}
