// A user's own environment for a3c-ts: an ES module that registers its id when imported.
//   npx a3c train --env-module ./examples/corridor.js --env Corridor-v0
// Every agent thread imports this module, so the env works in every mode.
import { Box, Discrete, registerEnv } from 'a3c-ts';

/** Cells of the corridor; the agent starts in the first and is paid for reaching the last. */
const LENGTH = 8;
const STEP_COST = 0.01;
const GOAL_REWARD = 1;

/** Walk left (0) or right (1) along a corridor; the observation is the position in [0, 1]. */
class Corridor {
  id = 'Corridor-v0';
  observationSpace = new Box(0, 1, [1]);
  actionSpace = new Discrete(2);
  unwrapped = this;
  position = 0;

  reset() {
    this.position = 0;
    return { obs: Float32Array.of(0), info: {} };
  }

  step(action) {
    this.position = Math.max(0, this.position + (action === 1 ? 1 : -1));
    const atGoal = this.position === LENGTH - 1;
    return {
      obs: Float32Array.of(this.position / (LENGTH - 1)),
      reward: atGoal ? GOAL_REWARD : -STEP_COST,
      terminated: atGoal,
      truncated: false,
      info: {},
    };
  }

  close() {}
}

registerEnv({ id: 'Corridor-v0', maxEpisodeSteps: 50, rewardThreshold: 0.9, entryPoint: () => new Corridor() });
