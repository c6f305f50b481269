import type { Action, StepResult } from '../core.js';
import type { NumpyGenerator } from '../../utils/numpy-random.js';
import { Box, Discrete } from '../spaces.js';
import { ClassicControlEnv } from './classic-control-env.js';

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
export class MountainCarEnv extends ClassicControlEnv {
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED], [2]);
  readonly actionSpace = new Discrete(3);
  private readonly goalVelocity: number;

  constructor(id = 'MountainCar-v0', options: MountainCarOptions = {}) {
    super(id, 2, STATE_LAYOUT);
    this.goalVelocity = options.goalVelocity ?? 0;
  }

  protected startEpisode(rng: NumpyGenerator): void {
    this.physicalState[0] = rng.uniform(RESET_LOW, RESET_HIGH);
    this.physicalState[1] = 0;
  }

  protected advance(action: Action): StepResult {
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
    return { obs: this.observation(), reward: -1.0, terminated, truncated: false, info: {} };
  }
}
