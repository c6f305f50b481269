import type { Action, Env, ResetOptions, ResetResult, StepResult } from '../../src/envs/core.js';
import { Box, Discrete } from '../../src/envs/spaces.js';

/**
 * A deterministic env for tests, in the spirit of ptan's tiny test envs: episode e lasts
 * `episodeLengths[e % episodeLengths.length]` steps; its observations are [e, t] and the reward of
 * step t (counting from 1) is t, so sums and lengths can be checked by hand.
 */
export class ScriptedEnv implements Env {
  readonly observationSpace = new Box(-Infinity, Infinity, [2]);
  readonly actionSpace = new Discrete(2);
  /** The seed given to each reset, in order. */
  readonly resetSeeds: (number | undefined)[] = [];
  /** The action given to each step, in order. */
  readonly actions: Action[] = [];
  private episode = -1;
  private t = 0;

  constructor(
    readonly episodeLengths: readonly number[],
    readonly id = 'Scripted-v0',
  ) {}

  get unwrapped(): this {
    return this;
  }

  reset(options: ResetOptions = {}): ResetResult {
    this.resetSeeds.push(options.seed);
    this.episode += 1;
    this.t = 0;
    return { obs: Float32Array.of(this.episode, 0), info: { episodeIndex: this.episode } };
  }

  step(action: Action): StepResult {
    this.actions.push(action);
    this.t += 1;
    const length = this.episodeLengths[this.episode % this.episodeLengths.length];
    return { obs: Float32Array.of(this.episode, this.t), reward: this.t, terminated: this.t >= length, truncated: false, info: {} };
  }

  close(): void {}
}
