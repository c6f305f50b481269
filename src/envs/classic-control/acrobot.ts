import type { Action, StepResult } from '../core.js';
import type { NumpyGenerator } from '../../utils/numpy-random.js';
import { Box, Discrete } from '../spaces.js';
import { ClassicControlEnv } from './classic-control-env.js';

// Constants named as Gymnasium 1.3.0's classic_control/acrobot.py ("book" dynamics, no torque noise).
/** Seconds per step. */
const DT = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const GRAVITY = 9.8;
const MAX_VEL_1 = 4 * Math.PI;
const MAX_VEL_2 = 9 * Math.PI;
const AVAIL_TORQUE = [-1.0, 0.0, +1.0] as const;
/** Each state variable starts uniform in [-RESET_BOUND, RESET_BOUND]. */
const RESET_BOUND = 0.1;
const STATE_LAYOUT = '[theta1, theta2, dtheta1, dtheta2]';

/** Wraps x into [low, high] by whole turns, as Gymnasium's acrobot `wrap`. */
function wrap(x: number, low: number, high: number): number {
  const diff = high - low;
  while (x > high) x = x - diff;
  while (x < low) x = x + diff;
  return x;
}

function bound(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

/**
 * Gymnasium's AcrobotEnv, step for step: one fourth-order Runge-Kutta step of DT seconds in float64,
 * written out with Gymnasium's operation order so results agree bit for bit.
 */
export class AcrobotEnv extends ClassicControlEnv {
  readonly observationSpace = new Box(
    [-1.0, -1.0, -1.0, -1.0, -MAX_VEL_1, -MAX_VEL_2],
    [1.0, 1.0, 1.0, 1.0, MAX_VEL_1, MAX_VEL_2],
    [6],
  );
  readonly actionSpace = new Discrete(3);
  // Runge-Kutta scratch, kept to avoid allocating on every step.
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly probe = new Float64Array(4);

  constructor(id = 'Acrobot-v1') {
    super(id, 4, STATE_LAYOUT);
  }

  protected startEpisode(rng: NumpyGenerator): void {
    // Gymnasium draws the start state in float64 and then casts it to float32.
    for (let i = 0; i < 4; i++) this.physicalState[i] = Math.fround(rng.uniform(-RESET_BOUND, RESET_BOUND));
  }

  protected advance(action: Action): StepResult {
    const torque = AVAIL_TORQUE[action as number];
    const s = this.physicalState;
    const { k1, k2, k3, k4, probe } = this;
    // Gymnasium's rk4 over t = [0, DT]; the torque rides along as a constant fifth state variable.
    const dt2 = DT / 2.0;
    this.derivatives(s, torque, k1);
    for (let i = 0; i < 4; i++) probe[i] = s[i] + dt2 * k1[i];
    this.derivatives(probe, torque, k2);
    for (let i = 0; i < 4; i++) probe[i] = s[i] + dt2 * k2[i];
    this.derivatives(probe, torque, k3);
    for (let i = 0; i < 4; i++) probe[i] = s[i] + DT * k3[i];
    this.derivatives(probe, torque, k4);
    const dtSixth = DT / 6.0;
    for (let i = 0; i < 4; i++) s[i] = s[i] + dtSixth * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

    s[0] = wrap(s[0], -Math.PI, Math.PI);
    s[1] = wrap(s[1], -Math.PI, Math.PI);
    s[2] = bound(s[2], -MAX_VEL_1, MAX_VEL_1);
    s[3] = bound(s[3], -MAX_VEL_2, MAX_VEL_2);
    const terminated = -Math.cos(s[0]) - Math.cos(s[1] + s[0]) > 1.0;
    const reward = terminated ? 0.0 : -1.0;
    return { obs: this.observation(), reward, terminated, truncated: false, info: {} };
  }

  /** Gymnasium's `_dsdt` with the "book" equations: writes [dtheta1, dtheta2, ddtheta1, ddtheta2] to `out`. */
  private derivatives(s: Float64Array, torque: number, out: Float64Array): void {
    const m1 = LINK_MASS_1;
    const m2 = LINK_MASS_2;
    const l1 = LINK_LENGTH_1;
    const lc1 = LINK_COM_POS_1;
    const lc2 = LINK_COM_POS_2;
    const I1 = LINK_MOI;
    const I2 = LINK_MOI;
    const g = GRAVITY;
    const theta1 = s[0];
    const theta2 = s[1];
    const dtheta1 = s[2];
    const dtheta2 = s[3];
    const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
    const d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.cos(theta2)) + I2;
    const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * (dtheta2 * dtheta2) * Math.sin(theta2) -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
      (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
      phi2;
    const ddtheta2 =
      (torque + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * Math.sin(theta2) - phi2) /
      (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    out[0] = dtheta1;
    out[1] = dtheta2;
    out[2] = ddtheta1;
    out[3] = ddtheta2;
  }

  protected override observation(): Float32Array {
    const s = this.physicalState;
    const obs = new Float32Array(6);
    obs[0] = Math.cos(s[0]);
    obs[1] = Math.sin(s[0]);
    obs[2] = Math.cos(s[1]);
    obs[3] = Math.sin(s[1]);
    obs[4] = s[2];
    obs[5] = s[3];
    return obs;
  }
}
