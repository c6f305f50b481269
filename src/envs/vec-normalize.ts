import type { Info, Obs, ResetOptions, VectorEnv, VectorStepResult } from './core.js';
import { RunningMeanStd, type Moments } from './running-mean-std.js';
import { Box, type Space } from './spaces.js';

/** Stable-Baselines3 VecNormalize's defaults (`common/vec_env/vec_normalize.py`). */
export const CLIP_OBS = 10;
export const CLIP_REWARD = 10;
/** Added to the variance before its square root. */
export const NORM_EPSILON = 1e-8;

export interface VecNormalizeOptions {
  /** Normalise observations: (obs - mean) / sqrt(var + 1e-8), clipped to +-CLIP_OBS. */
  obs: boolean;
  /** Scale rewards by the std of the discounted return: r / sqrt(var_R + 1e-8), clipped to +-CLIP_REWARD. */
  reward: boolean;
  /** Discount of the return whose variance scales the rewards. */
  gamma: number;
}

/** What a VecNormalize saw since its statistics were last taken: observations and discounted returns. */
export interface NormalizationIncrements {
  /** `[obsSize]` moments of the observations. */
  obs: Moments;
  /** `[1]` moments of the discounted returns. */
  ret: Moments;
}

/** `obs` normalised with `stats` into `out`: clip((obs - mean) / sqrt(var + 1e-8), -10, 10), row by row. */
export function normalizeObs(obs: ArrayLike<number>, stats: { mean: ArrayLike<number>; var: ArrayLike<number> }, out = new Float32Array(obs.length)): Float32Array {
  const size = stats.mean.length;
  for (let k = 0; k < obs.length; k++) {
    const i = k % size;
    const z = (obs[k] - stats.mean[i]) / Math.sqrt(stats.var[i] + NORM_EPSILON);
    out[k] = Math.min(Math.max(z, -CLIP_OBS), CLIP_OBS);
  }
  return out;
}

/**
 * Stable-Baselines3's VecNormalize over a vector env: observations normalised by a running mean
 * and variance, rewards scaled by the running std of each copy's discounted return (reset when its
 * episode ends), both clipped. Unlike SB3's, the statistics it normalises with (`obsStats`,
 * `retStats`) and those it gathers are apart: it records what it sees since `takeIncrements`
 * for an owner to merge elsewhere (a trainer merging every agent's), and normalises with whatever
 * the owner puts in `obsStats` and `retStats` (the merged ones). Episode reports in
 * `infos[i].episode` are the inner env's, raw.
 */
export class VecNormalize implements VectorEnv {
  readonly singleObservationSpace: Box;
  /** What observations are normalised with: SB3's start (count 1e-4, mean 0, var 1) until an owner sets them. */
  readonly obsStats: RunningMeanStd;
  /** `[1]`: what rewards are scaled with. */
  readonly retStats: RunningMeanStd;
  readonly restart?: () => { obs: Obs; infos: Info[] };
  private readonly obsSeen: RunningMeanStd;
  private readonly retSeen: RunningMeanStd;
  /** Per copy: the discounted return of the episode in progress. */
  private readonly returns: Float64Array;

  /** @throws Error for observations that are not float32 (frames are not normalised). */
  constructor(
    readonly env: VectorEnv,
    readonly options: VecNormalizeOptions,
  ) {
    const space = env.singleObservationSpace;
    if (space.dtype !== 'float32') throw new Error(`VecNormalize: observations ${space} are not float32; normalisation is for vector observations`);
    this.singleObservationSpace = options.obs ? new Box(-CLIP_OBS, CLIP_OBS, space.shape) : space;
    this.obsStats = new RunningMeanStd(space.size, true);
    this.retStats = new RunningMeanStd(1, true);
    this.obsSeen = new RunningMeanStd(space.size);
    this.retSeen = new RunningMeanStd(1);
    this.returns = new Float64Array(env.numEnvs);
    const inner = env.restart?.bind(env);
    if (inner !== undefined) this.restart = () => this.started(inner());
  }

  get numEnvs(): number {
    return this.env.numEnvs;
  }

  get singleActionSpace(): Space {
    return this.env.singleActionSpace;
  }

  reset(options?: ResetOptions): { obs: Obs; infos: Info[] } {
    return this.started(this.env.reset(options));
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    const result = this.env.step(actions);
    this.obsSeen.update(result.obs, this.numEnvs);
    const { gamma } = this.options;
    for (let i = 0; i < this.numEnvs; i++) this.returns[i] = this.returns[i] * gamma + result.rewards[i];
    this.retSeen.update(this.returns, this.numEnvs);
    const rewards = this.options.reward ? this.scaleRewards(result.rewards) : result.rewards;
    for (let i = 0; i < this.numEnvs; i++) if (result.terminated[i] === 1 || result.truncated[i] === 1) this.returns[i] = 0;
    return {
      ...result,
      obs: this.normalized(result.obs),
      rewards,
      finalObs: result.finalObs.map((o) => (o === null ? null : this.normalized(o))),
    };
  }

  /** Moments of what this env saw since the last call (observations, discounted returns); starts gathering anew. */
  takeIncrements(): NormalizationIncrements {
    const increments = { obs: this.obsSeen.moments(), ret: this.retSeen.moments() };
    this.obsSeen.clear();
    this.retSeen.clear();
    return increments;
  }

  close(): void {
    this.env.close();
  }

  private started(result: { obs: Obs; infos: Info[] }): { obs: Obs; infos: Info[] } {
    this.obsSeen.update(result.obs, this.numEnvs);
    this.returns.fill(0);
    return { obs: this.normalized(result.obs), infos: result.infos };
  }

  private normalized(obs: Obs): Obs {
    return this.options.obs ? normalizeObs(obs, this.obsStats) : obs;
  }

  private scaleRewards(rewards: Float64Array): Float64Array {
    const scale = 1 / Math.sqrt(this.retStats.var[0] + NORM_EPSILON);
    return rewards.map((r) => Math.min(Math.max(r * scale, -CLIP_REWARD), CLIP_REWARD));
  }
}
