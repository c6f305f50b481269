import { EnvProcessDiedError, type Obs, type VectorEnv, type VectorStepResult } from '../../envs/core.js';
import type { Box } from '../../envs/spaces.js';
import type { TransitionBatch } from './transition-batch.js';

/** What a collector asks of the policy for a batch of observations `[count, obsSize]`. */
export interface PolicyStep {
  /**
   * `[count]` indices for a Discrete action space; `[count, actDim]` samples for a Box, unclipped
   * (the collector clips them only to step the env, and keeps them for the loss's log-probability).
   */
  actions: Int32Array | Float32Array;
  /** V(s) of the same observations, used to bootstrap returns. */
  values: Float32Array;
}

/** A policy a collector acts with (NetPolicy); recurrent ones keep an LSTM state per env copy. */
export interface ActingPolicy {
  /** `episodeStarts` `[count]`: 1 for the copies whose observation is the first of an episode. */
  act(obs: Obs, count: number, episodeStarts?: ArrayLike<number>): PolicyStep;
  /** V of `count` observations of env copies `copies` (default: copy k for row k). */
  values(obs: Obs, count: number, copies?: readonly number[]): Float32Array;
  /** The LSTM state `[count, 2 cells]` the next `act` on `count` copies starts from; null for a feed-forward policy. */
  recurrentState?(count: number): Float32Array | null;
}

/** A whole episode as the env reported it in `info.episode` (raw return, length in steps). */
export interface EpisodeRecord {
  reward: number;
  length: number;
}

/** A discrete action's index, or a Box action's `actDim` numbers. */
export type ActionRow = number | Float32Array;

/**
 * What every way of turning a vector env's steps into transitions shares: acting on the current
 * observations `[numEnvs, obsSize]`, stepping the env, counting env steps, reporting episodes and
 * restarting an env whose process died. Subclasses say which transitions the steps make
 * (n-step.ts: ptan's first-last windows; forward-view.ts: the A3C paper's t_max rollouts).
 *
 * Box actions: the env steps with the policy's samples clipped into its Box, and the transitions
 * keep the samples themselves, whose log-density the loss takes (SB3's collect_rollouts).
 *
 * Finished episodes are what the env reports in `info.episode` (makeVectorEnv's envs do), not the
 * training episodes: an Atari game with lives is one episode with its raw score, though training
 * ends an episode at each lost life and learns from clipped rewards.
 */
export abstract class Collector {
  /** The observations the policy acts on next, `[numEnvs, obsSize]`. */
  protected obs: Obs;
  protected readonly numEnvs: number;
  protected readonly obsSize: number;
  /** The Box the env's actions are clipped into, or null for discrete actions. */
  protected readonly actionBox: Box | null;
  /** Numbers per action row: 1 for a discrete index, the Box's size otherwise. */
  protected readonly actionSize: number;
  /** Env steps taken (one per copy per step). */
  envSteps = 0;
  readonly finishedEpisodes: EpisodeRecord[] = [];
  /** Why the env was restarted, one line each, since the owner last drained this. */
  readonly envRestarts: string[] = [];

  /** Resets `env` with `seed`. */
  constructor(
    protected readonly env: VectorEnv,
    protected readonly policy: ActingPolicy,
    seed?: number,
  ) {
    this.numEnvs = env.numEnvs;
    this.obsSize = env.singleObservationSpace.size;
    const actionSpace = env.singleActionSpace;
    this.actionBox = actionSpace.kind === 'box' ? actionSpace : null;
    this.actionSize = this.actionBox === null ? 1 : this.actionBox.size;
    this.obs = env.reset({ seed }).obs;
  }

  /**
   * Steps every env copy once and pushes the transitions completed so far into `out`.
   * @throws what the env's `step` throws, but an EnvProcessDiedError of an env that can restart.
   */
  abstract step(out: TransitionBatch): void;

  /** Forgets what was collected of the episodes in progress: the env restarted and they are lost. */
  protected abstract dropEpisodesInProgress(): void;

  /**
   * Steps every copy with the policy's `actions` (clipped into a Box), counts the steps, records
   * the finished episodes and moves `obs` on. When the env's process died and it can restart:
   * restarts it, drops the episodes in progress and returns null.
   */
  protected stepEnv(actions: Int32Array | Float32Array): VectorStepResult | null {
    let result: VectorStepResult;
    try {
      // SB3's collect_rollouts: the env gets the action clipped into its Box, the loss the sample.
      result = this.env.step(this.actionBox === null ? actions : this.actionBox.clip(actions));
    } catch (err) {
      if (!(err instanceof EnvProcessDiedError) || this.env.restart === undefined) throw err;
      this.obs = this.env.restart().obs;
      this.dropEpisodesInProgress();
      this.envRestarts.push(`${err.message}; restarted the env`);
      return null;
    }
    this.envSteps += this.numEnvs;
    for (const info of result.infos) {
      const episode = info.episode as { r: number; l: number } | undefined;
      if (episode !== undefined) this.finishedEpisodes.push({ reward: episode.r, length: episode.l });
    }
    this.obs = result.obs;
    return result;
  }

  /**
   * `[numEnvs]`: V(final observation) of each copy truncated (and not terminated) by `result`, in
   * one forward pass, 0 elsewhere; null when no copy was. A truncated episode still bootstraps
   * from its final observation (Stable-Baselines3 #633): only `terminated` means the future is
   * worth zero, and the next observation belongs to a new episode.
   */
  protected truncationValues(result: VectorStepResult): Float32Array | null {
    const copies: number[] = [];
    for (let i = 0; i < this.numEnvs; i++) if (result.truncated[i] === 1 && result.terminated[i] === 0) copies.push(i);
    if (copies.length === 0) return null;
    const batch = result.obs instanceof Uint8Array ? new Uint8Array(copies.length * this.obsSize) : new Float32Array(copies.length * this.obsSize);
    copies.forEach((i, row) => batch.set(result.finalObs[i]!, row * this.obsSize));
    const values = this.policy.values(batch, copies.length, copies);
    const byCopy = new Float32Array(this.numEnvs);
    copies.forEach((i, row) => (byCopy[i] = values[row]));
    return byCopy;
  }

  /** Row `i` of observations `[rows, obsSize]`, copied. */
  protected rowOf(batch: Obs, i: number): Obs {
    return batch.slice(i * this.obsSize, (i + 1) * this.obsSize);
  }

  /** Row `i` of actions `[rows]` (discrete) or `[rows, actDim]` (Box), copied. */
  protected actionOf(actions: Int32Array | Float32Array, i: number): ActionRow {
    if (this.actionBox === null) return actions[i];
    return actions.slice(i * this.actionSize, (i + 1) * this.actionSize) as Float32Array;
  }
}
