/**
 * RecurrentProbe-v0, for tests of a recurrent policy's LSTM state: each copy plays episodes of 1 to
 * 4 steps (drawn from its reset seed, so copies differ) whose observations are [t / 4, u], u drawn
 * uniformly from [-1, 1) at every step, and whose reward is u. Each copy records the observations a
 * policy acted on (`seen`: the reset's, then each step's but an ending one, which a vector env
 * replaces by the next reset's) and which of them began an episode, so that a test can step the
 * LSTM copy by copy itself and compare. Registered in the thread that imports this module.
 */
import type { Action, Env, ResetOptions } from '../../src/envs/core.js';
import { registerEnv } from '../../src/envs/registry.js';
import { Box, Discrete } from '../../src/envs/spaces.js';
import { Rng } from '../../src/utils/rng.js';

export const RECURRENT_PROBE_ID = 'RecurrentProbe-v0';

/** One observation a policy acted on, and whether it was the first of an episode. */
export interface SeenObservation {
  obs: Float32Array;
  episodeStart: boolean;
}

export class RecurrentProbe implements Env {
  readonly id = RECURRENT_PROBE_ID;
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(2);
  readonly unwrapped = this;
  readonly seen: SeenObservation[] = [];
  /** Steps taken over all episodes. */
  steps = 0;
  private rng = new Rng(0);
  private t = 0;
  private length = 1;

  reset(options?: ResetOptions) {
    if (options?.seed !== undefined) this.rng = new Rng(options.seed);
    this.t = 0;
    this.length = 1 + Math.floor(this.rng.random() * 4);
    return { obs: this.observe(true), info: {} };
  }

  step(_action: Action) {
    this.steps++;
    this.t++;
    const terminated = this.t === this.length;
    const obs = terminated ? Float32Array.of(this.t / 4, 0) : this.observe(false);
    return { obs, reward: obs[1], terminated, truncated: false, info: {} };
  }

  close(): void {}

  private observe(episodeStart: boolean): Float32Array {
    const obs = Float32Array.of(this.t / 4, this.rng.random() * 2 - 1);
    this.seen.push({ obs, episodeStart });
    return obs;
  }
}

/** Every copy made since the last `probes.length = 0`, in the order they were made. */
export const probes: RecurrentProbe[] = [];

registerEnv({
  id: RECURRENT_PROBE_ID,
  entryPoint: () => {
    const probe = new RecurrentProbe();
    probes.push(probe);
    return probe;
  },
});
