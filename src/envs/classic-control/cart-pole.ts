import type { Action, StepResult } from '../core.js';
import type { NumpyGenerator } from '../../utils/numpy-random.js';
import { Box, Discrete } from '../spaces.js';
import { ClassicControlEnv } from './classic-control-env.js';

// Constants named as Gymnasium 1.3.0's classic_control/cartpole.py (SI units).
const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
/** Half the pole's length, in metres. */
const LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
/** Seconds between state updates. */
const TAU = 0.02;
const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
/** Each state variable starts uniform in [-RESET_BOUND, RESET_BOUND]. */
const RESET_BOUND = 0.05;
const STATE_LAYOUT = '[x, x_dot, theta, theta_dot]';

export interface CartPoleOptions {
  /** Reward 0 per step and -1 on termination instead of +1 per step (Gymnasium's `sutton_barto_reward`). */
  suttonBartoReward?: boolean;
}

/**
 * Gymnasium's CartPoleEnv, step for step: Euler integration in float64, observations cast to float32.
 * Only `terminated` is signalled; truncation is TimeLimit's job.
 */
export class CartPoleEnv extends ClassicControlEnv {
  readonly observationSpace = new Box(
    [-X_THRESHOLD * 2, -Infinity, -THETA_THRESHOLD_RADIANS * 2, -Infinity],
    [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD_RADIANS * 2, Infinity],
    [4],
  );
  readonly actionSpace = new Discrete(2);
  private readonly suttonBartoReward: boolean;
  /** Steps taken since the pole fell, null while it stands (Gymnasium's `steps_beyond_terminated`). */
  private stepsBeyondTerminated: number | null = null;

  constructor(id = 'CartPole-v1', options: CartPoleOptions = {}) {
    super(id, 4, STATE_LAYOUT);
    this.suttonBartoReward = options.suttonBartoReward ?? false;
  }

  protected startEpisode(rng: NumpyGenerator): void {
    for (let i = 0; i < 4; i++) this.physicalState[i] = rng.uniform(-RESET_BOUND, RESET_BOUND);
    this.stepsBeyondTerminated = null;
  }

  protected advance(action: Action): StepResult {
    const s = this.physicalState;
    let x = s[0];
    let xDot = s[1];
    let theta = s[2];
    let thetaDot = s[3];
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);

    // Same operation order as Gymnasium, so float64 results agree bit for bit.
    const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;

    x = x + TAU * xDot;
    xDot = xDot + TAU * xAcc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaAcc;
    s[0] = x;
    s[1] = xDot;
    s[2] = theta;
    s[3] = thetaDot;

    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      // Stepping past termination is undefined behaviour in Gymnasium; it pays 0 (or -1).
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    const obs = new Float32Array(4);
    obs[0] = x;
    obs[1] = xDot;
    obs[2] = theta;
    obs[3] = thetaDot;
    return { obs, reward, terminated, truncated: false, info: {} };
  }
}
