import type { Action, Env, Obs, StatefulEnv } from '../src/envs/core.js';

/** One episode of an env at a time, stepped by whoever acts: the policy or the viewer. */
export class Episode {
  reward = 0;
  steps = 0;
  done = false;
  private obs: Obs;

  constructor(
    private readonly env: Env,
    readonly seed: number,
  ) {
    this.obs = env.reset({ seed }).obs;
  }

  get observation(): Obs {
    return this.obs;
  }

  /** The physical state the scenes draw (Gymnasium's `env.unwrapped.state`). */
  get state(): Float64Array {
    return (this.env.unwrapped as StatefulEnv).state;
  }

  step(action: Action): void {
    if (this.done) throw new Error(`the episode with seed ${this.seed} is over; start a new one`);
    const result = this.env.step(action);
    this.obs = result.obs;
    this.reward += result.reward;
    this.steps++;
    this.done = result.terminated || result.truncated;
  }
}
