import type { Obs, VectorEnv } from '../../envs/core.js';
import { Collector, type ActingPolicy } from './collector.js';
import type { TransitionBatch } from './transition-batch.js';

export interface ForwardViewOptions {
  /** Discount. */
  readonly gamma: number;
  /** Steps per env copy in a rollout: the paper's t_max, SB3's n_steps. */
  readonly nSteps: number;
  /** GAE's lambda in [0, 1]; 1 gives the paper's forward-view returns. */
  readonly gaeLambda: number;
}

/**
 * The A3C paper's forward-view rollouts (Mnih et al. 2016, Algorithm S3) with GAE(lambda) as
 * Stable-Baselines3 computes it (common/buffers.py, RolloutBuffer.compute_returns_and_advantage):
 * every env copy takes `nSteps` steps with the policy, recording s_t, a_t, r_t and V(s_t) from the
 * acting forward pass; then, per copy and backward from V(s_T),
 *
 *   delta_t = r_t + gamma V(s_{t+1}) (1 - terminated_t) - V(s_t)
 *   A_t     = delta_t + gamma lambda (1 - done_t) A_{t+1}
 *
 * and each transition's value target is A_t + V(s_t). With lambda = 1 that is the paper's
 * R_t = r_t + gamma R_{t+1}, from R_T = V(s_T). A truncated step bootstraps from V(final
 * observation) and ends the sum there (Collector.truncationValues), as SB3 does by adding
 * gamma V(terminal obs) to its reward.
 *
 * V(s_T) comes from the next step's action forward pass, so the network runs once per step and a
 * rollout is held back until then. The `nSteps * numEnvs` transitions go out time-major (row
 * t * numEnvs + i is copy i's step t, as SB3's buffer) with `episodeStarts` flags, so that a
 * recurrent policy can replay them in order. Box actions, episodes and env restarts: see
 * Collector; a restart drops the rollout in progress. A recurrent policy acts with each copy's
 * episode start (its LSTM state is reset there), and the LSTM state each rollout began from is
 * kept in `emittedStates`.
 */
export class ForwardViewCollector extends Collector {
  // The rollout, time-major as SB3's RolloutBuffer: entry t * numEnvs + i is copy i's step t.
  /** `[nSteps * numEnvs, obsSize]` */
  private readonly obsRows: Obs;
  /** `[nSteps * numEnvs]` indices or `[nSteps * numEnvs, actDim]` unclipped samples. */
  private readonly actionRows: Int32Array | Float32Array;
  /** V(s_t) from the acting forward pass. */
  private readonly values: Float32Array;
  private readonly rewards: Float64Array;
  /** 1 where the step ended its episode, terminated or truncated. */
  private readonly dones: Uint8Array;
  /** V of the next observation where the step ended its episode: V(final observation) if truncated, 0 if terminated. */
  private readonly endValues: Float32Array;
  /** 1 where s_t is the first observation of an episode (SB3's episode_starts). */
  private readonly episodeStarts: Uint8Array;
  /** The value targets of the rollout being emitted. */
  private readonly targets: Float64Array;
  /** `[numEnvs]`: whether each copy's current observation starts an episode (all do after a reset). */
  private readonly starts: Uint8Array;
  /** Steps recorded in the rollout in progress. */
  private recorded = 0;
  /** A recurrent policy's LSTM state `[numEnvs, 2 cells]` when the rollout in progress began. */
  private rolloutState: Float32Array | null = null;
  /** The initial LSTM states of the rollouts pushed so far, oldest first, for the owner to take (recurrent policies only). */
  readonly emittedStates: Float32Array[] = [];

  constructor(
    env: VectorEnv,
    policy: ActingPolicy,
    private readonly options: ForwardViewOptions,
    seed?: number,
  ) {
    super(env, policy, seed);
    const rows = options.nSteps * this.numEnvs;
    const obsLength = rows * this.obsSize;
    this.obsRows = env.singleObservationSpace.dtype === 'uint8' ? new Uint8Array(obsLength) : new Float32Array(obsLength);
    this.actionRows = this.actionBox === null ? new Int32Array(rows) : new Float32Array(rows * this.actionSize);
    this.values = new Float32Array(rows);
    this.rewards = new Float64Array(rows);
    this.dones = new Uint8Array(rows);
    this.endValues = new Float32Array(rows);
    this.episodeStarts = new Uint8Array(rows);
    this.targets = new Float64Array(rows);
    this.starts = new Uint8Array(this.numEnvs).fill(1);
  }

  /**
   * Steps every env copy once; when that begins a new rollout, first pushes the finished one's
   * `nSteps * numEnvs` transitions into `out`, time-major, with their episode starts.
   * @throws what the env's `step` throws, but an EnvProcessDiedError of an env that can restart.
   */
  step(out: TransitionBatch): void {
    const n = this.numEnvs;
    const startsRollout = this.recorded === 0 || this.recorded === this.options.nSteps;
    const state = startsRollout ? (this.policy.recurrentState?.(n) ?? null) : null;
    const { actions, values } = this.policy.act(this.obs, n, this.starts);
    if (this.recorded === this.options.nSteps) this.emit(values, out);
    if (startsRollout) this.rolloutState = state;
    const row = this.recorded * n;
    this.obsRows.set(this.obs, row * this.obsSize);
    this.actionRows.set(actions, row * this.actionSize);
    this.values.set(values, row);
    this.episodeStarts.set(this.starts, row);

    const result = this.stepEnv(actions);
    if (result === null) return;
    this.rewards.set(result.rewards, row);
    const truncationValues = this.truncationValues(result);
    for (let i = 0; i < n; i++) {
      this.starts[i] = result.terminated[i] | result.truncated[i];
      this.endValues[row + i] = truncationValues?.[i] ?? 0;
    }
    this.dones.set(this.starts, row);
    this.recorded++;
  }

  /** The env restarted: the rollout in progress is lost, and every copy starts an episode. */
  protected dropEpisodesInProgress(): void {
    this.recorded = 0;
    this.starts.fill(1);
  }

  /** Pushes the recorded rollout with its targets, bootstrapped from `lastValues` `[numEnvs]` = V(s_T). */
  private emit(lastValues: Float32Array, out: TransitionBatch): void {
    const n = this.numEnvs;
    const { gamma, gaeLambda, nSteps } = this.options;
    const last = nSteps - 1;
    for (let i = 0; i < n; i++) {
      let advantage = 0;
      for (let t = last; t >= 0; t--) {
        const k = t * n + i;
        const nextValue = this.dones[k] === 1 ? this.endValues[k] : t === last ? lastValues[i] : this.values[k + n];
        const delta = this.rewards[k] + gamma * nextValue - this.values[k];
        advantage = delta + gamma * gaeLambda * (1 - this.dones[k]) * advantage;
        this.targets[k] = advantage + this.values[k];
      }
    }
    if (this.rolloutState !== null) this.emittedStates.push(this.rolloutState);
    for (let k = 0; k < this.targets.length; k++) {
      out.push(this.rowOf(this.obsRows, k), this.actionOf(this.actionRows, k), this.targets[k], this.episodeStarts[k] === 1);
    }
    this.recorded = 0;
  }
}
