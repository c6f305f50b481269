/**
 * CueRecall-v0, a task only a policy with memory can solve (the T-maze of Bakker 2001 in
 * miniature): the first observation shows a cue, -1 or +1, and the next ones only the time; on the
 * last of EPISODE_STEPS steps the agent is paid +1 for the action the cue named (0 for -1, 1 for
 * +1) and -1 for the other. A feed-forward policy can only guess there (mean reward 0); a recurrent
 * one can keep the cue and earn 1. Imported as an env module, so that every agent thread has it.
 */
import type { Action, Env, ResetOptions } from '../../src/envs/core.js';
import { registerEnv } from '../../src/envs/registry.js';
import { Box, Discrete } from '../../src/envs/spaces.js';
import { Rng } from '../../src/utils/rng.js';

export const CUE_RECALL_ID = 'CueRecall-v0';
/** Steps per episode: the cue, blank steps, and the step whose action is paid. */
export const EPISODE_STEPS = 4;

class CueRecall implements Env {
  readonly id = CUE_RECALL_ID;
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(2);
  readonly unwrapped = this;
  private rng = new Rng(0);
  private cue = 1;
  private t = 0;

  reset(options?: ResetOptions) {
    if (options?.seed !== undefined) this.rng = new Rng(options.seed);
    this.cue = this.rng.random() < 0.5 ? -1 : 1;
    this.t = 0;
    return { obs: Float32Array.of(this.cue, 0), info: {} };
  }

  step(action: Action) {
    this.t++;
    const last = this.t === EPISODE_STEPS;
    const paid = action === (this.cue > 0 ? 1 : 0) ? 1 : -1;
    return { obs: Float32Array.of(0, this.t / EPISODE_STEPS), reward: last ? paid : 0, terminated: last, truncated: false, info: {} };
  }

  close(): void {}
}

registerEnv({ id: CUE_RECALL_ID, rewardThreshold: 0.9, entryPoint: () => new CueRecall() });
