import type { Box, Discrete, Space } from './spaces.js';

/** Observations are flat typed arrays: float32 vectors for classic control, uint8 frames for Atari. */
export type Obs = Float32Array | Uint8Array;
/** An index for `Discrete` spaces, a vector for `Box` spaces. */
export type Action = number | ArrayLike<number>;
export type Info = Record<string, unknown>;

export interface ResetOptions {
  seed?: number;
}

export interface ResetResult {
  obs: Obs;
  info: Info;
}

export interface StepResult {
  obs: Obs;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** Gymnasium's `Env` contract: `reset({seed})` then `step(action)` until terminated or truncated. */
export interface Env {
  readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  /** The innermost env, below every wrapper (Gymnasium's `env.unwrapped`). */
  readonly unwrapped: Env;
  reset(options?: ResetOptions): ResetResult;
  step(action: Action): StepResult;
  close(): void;
}

/** Native envs whose physical state can be read and set, as Gymnasium's `env.unwrapped.state`. */
export interface StatefulEnv extends Env {
  state: Float64Array;
}

export type DiscreteEnv = Env & { readonly actionSpace: Discrete };

/**
 * N copies of one env stepped together, with same-step auto-reset as Stable-Baselines3's VecEnv:
 * when copy i ends, `obs` already holds its next episode's first observation and `finalObs[i]`
 * holds the observation it ended on (needed to bootstrap a truncated episode).
 * Observations of all copies are concatenated: `[numEnvs * obsSize]`.
 */
export interface VectorEnv {
  readonly numEnvs: number;
  /**
   * Envs living in another process can be restarted after an `EnvProcessDiedError`: every copy
   * starts a new episode, the ones in progress are lost.
   */
  restart?(): { obs: Obs; infos: Info[] };
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space;
  reset(options?: ResetOptions): { obs: Obs; infos: Info[] };
  step(actions: ArrayLike<number>): VectorStepResult;
  close(): void;
}

export interface VectorStepResult {
  obs: Obs;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** The observation each copy ended on, or null where it did not end this step. */
  finalObs: (Obs | null)[];
  infos: Info[];
}

/** An env's process died (crashed, killed, exited); a `VectorEnv.restart()` may bring it back. */
export class EnvProcessDiedError extends Error {
  override name = 'EnvProcessDiedError';
}
