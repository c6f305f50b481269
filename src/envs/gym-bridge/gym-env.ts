import type { Action, Env, Info, ResetOptions, ResetResult, StepResult } from '../core.js';
import { checkAction, stepBeforeResetError } from '../env-checks.js';
import type { Box, Space } from '../spaces.js';
import { GymVectorEnv, type GymEnvOptions } from './gym-vector-env.js';

/**
 * One Gymnasium env in its own server process, behind the Env contract. The server resets a copy
 * as soon as its episode ends (for Atari's episodic life that reset continues the game), so
 * `reset()` without a seed after an ended episode returns that reset; a seeded `reset` always
 * starts a new game.
 */
export class GymEnv implements Env {
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  readonly unwrapped: Env = this;
  private readonly vector: GymVectorEnv;
  private pendingReset: ResetResult | null = null;
  private needsReset = true;

  constructor(
    readonly id: string,
    options: GymEnvOptions = {},
  ) {
    this.vector = new GymVectorEnv(id, 1, options);
    this.observationSpace = this.vector.singleObservationSpace;
    this.actionSpace = this.vector.singleActionSpace;
  }

  /** Action meanings of Atari games (`NOOP`, `FIRE`, ...), else null. */
  get actionMeanings(): string[] | null {
    return this.vector.actionMeanings;
  }

  reset(options: ResetOptions = {}): ResetResult {
    const pending = this.pendingReset;
    this.pendingReset = null;
    this.needsReset = false;
    if (options.seed === undefined && pending !== null) return pending;
    const { obs, infos } = this.vector.reset(options);
    return { obs, info: infos[0] };
  }

  step(action: Action): StepResult {
    if (this.needsReset) throw stepBeforeResetError(this.id);
    checkAction(this, action);
    const result = this.vector.step(typeof action === 'number' ? [action] : action);
    const { resetInfo, ...info } = result.infos[0];
    const terminated = result.terminated[0] === 1;
    const truncated = result.truncated[0] === 1;
    const finalObs = result.finalObs[0];
    if (finalObs === null) return { obs: result.obs, reward: result.rewards[0], terminated, truncated, info };
    this.pendingReset = { obs: result.obs, info: (resetInfo ?? {}) as Info };
    this.needsReset = true;
    return { obs: finalObs, reward: result.rewards[0], terminated, truncated, info };
  }

  /** The emulator's last frame, RGB `[height, width, 3]` (Atari ids only). */
  renderRgb(): { rgb: Uint8Array; width: number; height: number } {
    return this.vector.renderRgb(0);
  }

  /** Starts a new server process after it died or hung, and resets (see GymVectorEnv.restart). */
  restart(): ResetResult {
    this.pendingReset = null;
    this.needsReset = false;
    const { obs, infos } = this.vector.restart();
    return { obs, info: infos[0] };
  }

  close(): void {
    this.vector.close();
  }

  toString(): string {
    return `GymEnv(${this.id})`;
  }
}
