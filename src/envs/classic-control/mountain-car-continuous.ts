import type { Action, StepResult } from '../core.js';
import type { NumpyGenerator } from '../../utils/numpy-random.js';
import { Box } from '../spaces.js';
import { ClassicControlEnv } from './classic-control-env.js';
import {
  actionElementKind,
  add,
  equal,
  greater,
  greaterEqual,
  less,
  multiply,
  python,
  subtract,
  type Scalar,
  type ScalarKind,
} from './numpy-scalars.js';

// Constants named as Gymnasium 1.3.0's classic_control/continuous_mountain_car.py.
const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const POWER = 0.0015;
/** Gymnasium writes this gravity term inline as 0.0025. */
const GRAVITY = 0.0025;
const GOAL_REWARD = 100.0;
/** The reward subtracts ACTION_COST * action^2. */
const ACTION_COST = 0.1;
/** The start position is uniform in [RESET_LOW, RESET_HIGH], the start velocity 0. */
const RESET_LOW = -0.6;
const RESET_HIGH = -0.4;
const STATE_LAYOUT = '[position, velocity]';

export interface MountainCarContinuousOptions {
  /** Velocity the car must also reach at the goal (Gymnasium's `goal_velocity`, default 0). */
  goalVelocity?: number;
}

/**
 * Gymnasium's Continuous_MountainCarEnv, step for step. Gymnasium keeps the state in float64 after
 * reset but in float32 after each step, and its arithmetic mixes those with Python floats and the
 * action's own dtype, so each operation follows numpy 2's promotion rules (see numpy-scalars.ts):
 * a Float32Array action acts as a float32 ndarray, a Float64Array as a float64 one, a plain array as
 * a Python list.
 */
export class MountainCarContinuousEnv extends ClassicControlEnv {
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED], [2]);
  readonly actionSpace = new Box(MIN_ACTION, MAX_ACTION, [1]);
  private readonly goalVelocity: number;
  /** Gymnasium's state dtype: float64 after reset (or assignment), float32 after a step. */
  private stateKind: ScalarKind = 'float64';

  constructor(id = 'MountainCarContinuous-v0', options: MountainCarContinuousOptions = {}) {
    super(id, 2, STATE_LAYOUT);
    this.goalVelocity = options.goalVelocity ?? 0;
  }

  // Accessors are overridden in pairs: redefining only the setter would leave `state` unreadable.
  override get state(): Float64Array {
    return super.state;
  }

  /** An assigned state is float64, as Gymnasium's `env.unwrapped.state = np.array(...)`. */
  override set state(value: ArrayLike<number>) {
    super.state = value;
    this.stateKind = 'float64';
  }

  protected startEpisode(rng: NumpyGenerator): void {
    this.physicalState[0] = rng.uniform(RESET_LOW, RESET_HIGH);
    this.physicalState[1] = 0;
    this.stateKind = 'float64';
  }

  protected advance(action: Action): StepResult {
    const actions = action as ArrayLike<number>;
    // An in-space action needs no clipping; Gymnasium's min/max leave it, and its type, as given.
    const force: Scalar = { value: actions[0], kind: actionElementKind(actions) };
    const s = this.physicalState;
    let position: Scalar = { value: s[0], kind: this.stateKind };
    let velocity: Scalar = { value: s[1], kind: this.stateKind };

    // Gymnasium's `math.cos` returns a Python float.
    const gravityPull = python(GRAVITY * Math.cos(multiply(python(3), position).value));
    velocity = add(velocity, subtract(multiply(force, python(POWER)), gravityPull));
    if (greater(velocity, python(MAX_SPEED))) velocity = python(MAX_SPEED);
    if (less(velocity, python(-MAX_SPEED))) velocity = python(-MAX_SPEED);
    position = add(position, velocity);
    if (greater(position, python(MAX_POSITION))) position = python(MAX_POSITION);
    if (less(position, python(MIN_POSITION))) position = python(MIN_POSITION);
    // The left wall is inelastic.
    if (equal(position, python(MIN_POSITION)) && less(velocity, python(0))) velocity = python(0);
    const terminated = greaterEqual(position, python(GOAL_POSITION)) && greaterEqual(velocity, python(this.goalVelocity));
    // Gymnasium charges the action as given, through `math.pow` in float64.
    const reward = (terminated ? GOAL_REWARD : 0) - force.value * force.value * ACTION_COST;

    s[0] = Math.fround(position.value);
    s[1] = Math.fround(velocity.value);
    this.stateKind = 'float32';
    return { obs: this.observation(), reward, terminated, truncated: false, info: {} };
  }
}
