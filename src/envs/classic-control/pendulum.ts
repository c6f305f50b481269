import type { Action, StepResult } from '../core.js';
import type { NumpyGenerator } from '../../utils/numpy-random.js';
import { Box } from '../spaces.js';
import { ClassicControlEnv } from './classic-control-env.js';
import { actionElementKind, multiply, python, type Scalar } from './numpy-scalars.js';

// Constants named as Gymnasium 1.3.0's classic_control/pendulum.py.
/** Radians per second. */
const MAX_SPEED = 8;
/** Newton metres. */
const MAX_TORQUE = 2.0;
/** Seconds per step. */
const DT = 0.05;
const DEFAULT_GRAVITY = 10.0;
const MASS = 1.0;
const LENGTH = 1.0;
/** The start angle is uniform in [-DEFAULT_X, DEFAULT_X], the start angular velocity in [-DEFAULT_Y, DEFAULT_Y]. */
const DEFAULT_X = Math.PI;
const DEFAULT_Y = 1.0;
const SPEED_COST = 0.1;
const TORQUE_COST = 0.001;
const STATE_LAYOUT = '[theta, theta_dot]';

/** Floor modulo, as numpy's `%` on floats: the result takes the divisor's sign. */
function floorMod(x: number, divisor: number): number {
  const r = x % divisor;
  return r !== 0 && r < 0 !== divisor < 0 ? r + divisor : r;
}

/** Gymnasium's `angle_normalize`: the angle in [-pi, pi). */
function angleNormalize(x: number): number {
  return floorMod(x + Math.PI, 2 * Math.PI) - Math.PI;
}

export interface PendulumOptions {
  /** Gravitational acceleration in m/s^2 (Gymnasium's `g`, default 10). */
  g?: number;
}

/**
 * Gymnasium's PendulumEnv, step for step in float64, except that numpy 2 keeps `0.001 * u**2` and
 * `3.0 * u` in float32 when the action is float32 (a Float32Array here), as Gymnasium's
 * `action_space.sample()` and most policies give it (see numpy-scalars.ts).
 */
export class PendulumEnv extends ClassicControlEnv {
  readonly observationSpace = new Box([-1.0, -1.0, -MAX_SPEED], [1.0, 1.0, MAX_SPEED], [3]);
  readonly actionSpace = new Box(-MAX_TORQUE, MAX_TORQUE, [1]);
  private readonly g: number;

  constructor(id = 'Pendulum-v1', options: PendulumOptions = {}) {
    super(id, 2, STATE_LAYOUT);
    this.g = options.g ?? DEFAULT_GRAVITY;
  }

  protected startEpisode(rng: NumpyGenerator): void {
    this.physicalState[0] = rng.uniform(-DEFAULT_X, DEFAULT_X);
    this.physicalState[1] = rng.uniform(-DEFAULT_Y, DEFAULT_Y);
  }

  protected advance(action: Action): StepResult {
    const actions = action as ArrayLike<number>;
    // Gymnasium's np.clip turns a list into a float64 ndarray; an in-space action needs no clipping.
    const kind = actionElementKind(actions) === 'float32' ? 'float32' : 'float64';
    const u: Scalar = { value: actions[0], kind };
    const s = this.physicalState;
    const th = s[0];
    const thdot = s[1];
    const normalized = angleNormalize(th);
    const torqueCost = multiply(python(TORQUE_COST), multiply(u, u)).value;
    const costs = normalized * normalized + SPEED_COST * (thdot * thdot) + torqueCost;

    const torqueAcceleration = multiply(python(3.0 / (MASS * (LENGTH * LENGTH))), u).value;
    let newthdot = thdot + (((3 * this.g) / (2 * LENGTH)) * Math.sin(th) + torqueAcceleration) * DT;
    newthdot = Math.min(Math.max(newthdot, -MAX_SPEED), MAX_SPEED);
    const newth = th + newthdot * DT;
    s[0] = newth;
    s[1] = newthdot;
    return { obs: this.observation(), reward: -costs, terminated: false, truncated: false, info: {} };
  }

  protected override observation(): Float32Array {
    const s = this.physicalState;
    const obs = new Float32Array(3);
    obs[0] = Math.cos(s[0]);
    obs[1] = Math.sin(s[0]);
    obs[2] = s[1];
    return obs;
  }
}
