// examples/corridor.js for the training page: the same env, loaded by URL in the page and in every
// agent worker. It imports the spaces from the page's spaces.js (no bare 'a3c-ts' there) and
// exports its registration instead of calling registerEnv.
//   npx a3c web --files examples
//   open http://127.0.0.1:8088/?env=Corridor-v0&env-module=/files/corridor-web.js%23corridor&mode=data&workers=2
import { Box, Discrete } from '../spaces.js';

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

export const corridor = { id: 'Corridor-v0', maxEpisodeSteps: 50, rewardThreshold: 0.9, entryPoint: () => new Corridor() };
