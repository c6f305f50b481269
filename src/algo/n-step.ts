import { EnvProcessDiedError, type Obs, type VectorEnv, type VectorStepResult } from '../envs/core.js';
import type { Box } from '../envs/spaces.js';
import type { TransitionBatch } from './transition-batch.js';

/** What the collector asks of the policy for a batch of observations `[count, obsSize]`. */
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
  /** The LSTM state `[numEnvs, 2 cells]` the next `act` starts from; null for a feed-forward policy. */
  recurrentState?(): Float32Array | null;
}

/** A whole episode as the env reported it in `info.episode` (raw return, length in steps). */
export interface EpisodeRecord {
  reward: number;
  length: number;
}

/** A discrete action's index, or a Box action's `actDim` numbers. */
type ActionRow = number | Float32Array;

interface PendingTransition {
  obs: Obs;
  action: ActionRow;
  /** Discounted reward sum of the window. */
  rewardSum: number;
  /** gamma^k of the window, multiplying V of the observation the window ends on. */
  discount: number;
}

interface HistoryStep {
  obs: Obs;
  action: ActionRow;
  reward: number;
}

/**
 * ptan's ExperienceSourceFirstLast over a vector env: each step yields, per env copy, the
 * transition (s_t, a_t, sum_{i<n} gamma^i r_{t+i}, s_{t+n}) with its value target
 * R + gamma^n V(s_{t+n}). At episode end the shorter tail windows are emitted too. Unlike ptan, a
 * truncated episode still bootstraps from V(final observation) (see Stable-Baselines3 #633):
 * only `terminated` means the future is worth zero.
 *
 * V(s_{t+n}) comes from the next step's action forward pass, so the network runs once per step;
 * windows waiting for it are held back until then.
 *
 * Box actions: the env steps with the policy's samples clipped into its Box, and the transitions
 * keep the samples themselves, whose log-density the loss takes (SB3's collect_rollouts).
 *
 * Finished episodes are what the env reports in `info.episode` (makeVectorEnv's envs do), not the
 * training episodes: an Atari game with lives is one episode with its raw score, though training
 * ends an episode at each lost life and learns from clipped rewards.
 */
export class NStepCollector {
  private obs: Obs;
  private readonly histories: HistoryStep[][];
  private readonly waiting: PendingTransition[][];
  private readonly obsSize: number;
  /** The Box the env's actions are clipped into, or null for discrete actions. */
  private readonly actionBox: Box | null;
  private readonly gammaPowers: Float64Array;
  /** Env steps taken (one per copy per step). */
  envSteps = 0;
  readonly finishedEpisodes: EpisodeRecord[] = [];
  /** Why the env was restarted, one line each, since the owner last drained this. */
  readonly envRestarts: string[] = [];

  constructor(
    private readonly env: VectorEnv,
    private readonly policy: ActingPolicy,
    private readonly gamma: number,
    private readonly nSteps: number,
    seed?: number,
  ) {
    this.obsSize = env.singleObservationSpace.size;
    const actionSpace = env.singleActionSpace;
    this.actionBox = actionSpace.kind === 'box' ? actionSpace : null;
    this.obs = env.reset({ seed }).obs;
    this.histories = Array.from({ length: env.numEnvs }, () => []);
    this.waiting = Array.from({ length: env.numEnvs }, () => []);
    this.gammaPowers = Float64Array.from({ length: nSteps + 1 }, (_, k) => gamma ** k);
  }

  /** Steps every env copy once and pushes the transitions completed so far into `out`. */
  step(out: TransitionBatch): void {
    const n = this.env.numEnvs;
    const { actions, values } = this.policy.act(this.obs, n);
    for (let i = 0; i < n; i++) this.release(i, values[i], out);

    // SB3's collect_rollouts: the env gets the action clipped into its Box, the loss the sample.
    const result = this.stepOrRestart(this.actionBox === null ? actions : this.actionBox.clip(actions));
    if (result === null) return;
    this.envSteps += n;
    const truncatedCopies: number[] = [];
    for (let i = 0; i < n; i++) {
      const history = this.histories[i];
      history.push({ obs: this.rowOf(this.obs, i), action: this.actionOf(actions, i), reward: result.rewards[i] });
      const episode = result.infos[i].episode as { r: number; l: number } | undefined;
      if (episode !== undefined) this.finishedEpisodes.push({ reward: episode.r, length: episode.l });
      const ended = result.terminated[i] === 1 || result.truncated[i] === 1;
      if (ended) {
        if (result.terminated[i] === 1) {
          while (history.length > 0) this.emit(this.window(history), 0, out);
        } else {
          while (history.length > 0) this.waiting[i].push(this.window(history));
          truncatedCopies.push(i);
        }
      } else if (history.length === this.nSteps) {
        this.waiting[i].push(this.window(history));
      }
    }
    if (truncatedCopies.length > 0) this.bootstrapTruncated(truncatedCopies, result.finalObs, out);
    this.obs = result.obs;
  }

  /**
   * Steps the env; when its process died and it can restart, restarts it, drops the episodes in
   * progress (their windows can no longer be completed) and returns null.
   */
  private stepOrRestart(actions: ArrayLike<number>): VectorStepResult | null {
    try {
      return this.env.step(actions);
    } catch (err) {
      if (!(err instanceof EnvProcessDiedError) || this.env.restart === undefined) throw err;
      this.obs = this.env.restart().obs;
      for (let i = 0; i < this.env.numEnvs; i++) {
        this.histories[i].length = 0;
        this.waiting[i].length = 0;
      }
      this.envRestarts.push(`${err.message}; restarted the env`);
      return null;
    }
  }

  /** Transitions still waiting for a bootstrap value (bounded by numEnvs). */
  get waitingCount(): number {
    return this.waiting.reduce((s, w) => s + w.length, 0);
  }

  private rowOf(batch: Obs, i: number): Obs {
    return batch.slice(i * this.obsSize, (i + 1) * this.obsSize);
  }

  private actionOf(actions: Int32Array | Float32Array, i: number): ActionRow {
    if (this.actionBox === null) return actions[i];
    const size = this.actionBox.size;
    return actions.slice(i * size, (i + 1) * size) as Float32Array;
  }

  /** Folds the history into a window starting at its oldest step, and drops that step. */
  private window(history: HistoryStep[]): PendingTransition {
    let rewardSum = 0;
    for (let k = history.length - 1; k >= 0; k--) rewardSum = history[k].reward + this.gamma * rewardSum;
    const first = history.shift()!;
    return { obs: first.obs, action: first.action, rewardSum, discount: this.gammaPowers[history.length + 1] };
  }

  private release(i: number, value: number, out: TransitionBatch): void {
    const waiting = this.waiting[i];
    for (const t of waiting) this.emit(t, value, out);
    waiting.length = 0;
  }

  private emit(t: PendingTransition, bootstrapValue: number, out: TransitionBatch): void {
    out.push(t.obs, t.action, t.rewardSum + t.discount * bootstrapValue);
  }

  private bootstrapTruncated(copies: number[], finalObs: (Obs | null)[], out: TransitionBatch): void {
    const batch = this.obs instanceof Uint8Array ? new Uint8Array(copies.length * this.obsSize) : new Float32Array(copies.length * this.obsSize);
    copies.forEach((i, row) => batch.set(finalObs[i]!, row * this.obsSize));
    const values = this.policy.values(batch, copies.length);
    copies.forEach((i, row) => this.release(i, values[row], out));
  }
}
