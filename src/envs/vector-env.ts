import type { Action, Env, Info, Obs, ResetOptions, StepResult, VectorEnv, VectorStepResult } from './core.js';
import { actionProblem } from './env-checks.js';
import type { Box, Space } from './spaces.js';

type TypedArrayView = { subarray(begin: number, end: number): ArrayLike<number> };

function sameSpace(a: Space, b: Space): boolean {
  if (a.kind === 'discrete' || b.kind === 'discrete') {
    return a.kind === 'discrete' && b.kind === 'discrete' && a.n === b.n && a.start === b.start;
  }
  return (
    a.dtype === b.dtype &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i]) &&
    a.low.every((v, i) => v === b.low[i]) &&
    a.high.every((v, i) => v === b.high[i])
  );
}

/**
 * Steps N envs one after another in this thread, with same-step auto-reset: when copy i ends,
 * `obs` holds its next episode's first observation, `finalObs[i]` the one it ended on, and
 * `infos[i]` the info of the ending step (with `resetInfo` holding the reset's), as
 * Stable-Baselines3's DummyVecEnv and Gymnasium's SyncVectorEnv in SAME_STEP mode.
 */
export class SyncVectorEnv implements VectorEnv {
  readonly envs: readonly Env[];
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space;
  /** Numbers per copy in `step`'s actions: 1 for Discrete, the Box size otherwise. */
  private readonly actionSize: number;
  private hasReset = false;

  /** `makeEnv(i)` builds copy i. */
  constructor(
    readonly numEnvs: number,
    makeEnv: (index: number) => Env,
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new Error(`SyncVectorEnv: numEnvs must be a positive integer, got ${numEnvs}`);
    this.envs = Array.from({ length: numEnvs }, (_, i) => makeEnv(i));
    const first = this.envs[0];
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.envs.forEach((env, i) => {
      if (!sameSpace(env.observationSpace, first.observationSpace) || !sameSpace(env.actionSpace, first.actionSpace)) {
        throw new Error(
          `SyncVectorEnv: copy ${i} (${env.id}) has spaces ${env.observationSpace} / ${env.actionSpace}, ` +
            `copy 0 (${first.id}) has ${first.observationSpace} / ${first.actionSpace}; all copies must match`,
        );
      }
    });
    this.actionSize = this.singleActionSpace.kind === 'discrete' ? 1 : this.singleActionSpace.size;
  }

  /** Resets every copy; a seed s seeds copy i with s + i, as Gymnasium. Observations: `[numEnvs * obsSize]`. */
  reset(options: ResetOptions = {}): { obs: Obs; infos: Info[] } {
    const obs = this.newBatch();
    const infos: Info[] = [];
    this.envs.forEach((env, i) => {
      const result = env.reset(options.seed === undefined ? {} : { seed: options.seed + i });
      checkObs(env, 'reset', result.obs, this.singleObservationSpace.size);
      obs.set(result.obs, i * this.singleObservationSpace.size);
      infos.push(result.info);
    });
    this.hasReset = true;
    return { obs, infos };
  }

  /**
   * Steps copy i with `actions[i]` (Discrete) or `actions[i * size .. (i + 1) * size)` (Box of `size`
   * numbers), auto-resetting each copy that ends.
   */
  step(actions: ArrayLike<number>): VectorStepResult {
    const name = `SyncVectorEnv(${this.envs[0].id})`;
    if (!this.hasReset) throw new Error(`${name}.step: called before reset(); call reset() first`);
    if (actions.length !== this.numEnvs * this.actionSize) {
      throw new Error(
        `${name}.step: got ${actions.length} action numbers, expected numEnvs * ${this.actionSize} = ` +
          `${this.numEnvs * this.actionSize} for ${this.singleActionSpace}`,
      );
    }
    // Check every action first, so a bad one leaves no copy stepped.
    const perCopy = Array.from({ length: this.numEnvs }, (_, i) => this.actionOf(actions, i));
    perCopy.forEach((action, i) => {
      const problem = actionProblem(this.singleActionSpace, action);
      if (problem !== null) throw new Error(`${name}.step: copy ${i}: ${problem}`);
    });
    const obsSize = this.singleObservationSpace.size;
    const obs = this.newBatch();
    const rewards = new Float64Array(this.numEnvs);
    const terminated = new Uint8Array(this.numEnvs);
    const truncated = new Uint8Array(this.numEnvs);
    const finalObs: (Obs | null)[] = new Array<Obs | null>(this.numEnvs).fill(null);
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i];
      const result = env.step(perCopy[i]);
      checkStep(env, result, obsSize);
      rewards[i] = result.reward;
      terminated[i] = result.terminated ? 1 : 0;
      truncated[i] = result.truncated ? 1 : 0;
      let next = result.obs;
      if (result.terminated || result.truncated) {
        finalObs[i] = result.obs;
        const reset = env.reset();
        checkObs(env, 'reset', reset.obs, obsSize);
        result.info.resetInfo = reset.info;
        next = reset.obs;
      }
      obs.set(next, i * obsSize);
      infos.push(result.info);
    }
    return { obs, rewards, terminated, truncated, finalObs, infos };
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  private newBatch(): Obs {
    const length = this.numEnvs * this.singleObservationSpace.size;
    return this.singleObservationSpace.dtype === 'uint8' ? new Uint8Array(length) : new Float32Array(length);
  }

  private actionOf(actions: ArrayLike<number>, i: number): Action {
    if (this.singleActionSpace.kind === 'discrete') return actions[i];
    const start = i * this.actionSize;
    // A typed array is viewed, not copied.
    if (ArrayBuffer.isView(actions)) return (actions as unknown as TypedArrayView).subarray(start, start + this.actionSize);
    return Array.prototype.slice.call(actions, start, start + this.actionSize) as number[];
  }

  toString(): string {
    return `SyncVectorEnv(${this.envs[0].id}, numEnvs=${this.numEnvs})`;
  }
}

/**
 * What the env checker checks on the first step only, checked on every one where it is cheap and
 * would otherwise surface far away (an offset error in a batch, a NaN loss many updates later):
 * the observation's length and finiteness, the reward's finiteness.
 * @throws Error naming the env, the method and the value.
 */
function checkStep(env: Env, result: StepResult, obsSize: number): void {
  if (!Number.isFinite(result.reward)) throw new Error(`env "${env.id}": step() returned reward ${result.reward}; expected a finite number`);
  checkObs(env, 'step', result.obs, obsSize);
}

function checkObs(env: Env, method: 'reset' | 'step', obs: Obs, obsSize: number): void {
  if (obs.length !== obsSize) {
    throw new Error(`env "${env.id}": ${method}() returned an observation of length ${obs.length}; its observation space ${env.observationSpace} holds ${obsSize}`);
  }
  if (obs instanceof Float32Array) {
    for (let k = 0; k < obs.length; k++) {
      if (!Number.isFinite(obs[k])) throw new Error(`env "${env.id}": ${method}() returned an observation with ${obs[k]} at index ${k}; expected finite numbers`);
    }
  }
}
