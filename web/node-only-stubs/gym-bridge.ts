/**
 * Stands in for src/envs/gym-bridge/index.ts as src/envs/atari/index.ts imports it: the bridge
 * spawns Python's Gymnasium behind a named pipe, and a browser can start no process. `gym:` and
 * Atari ids stay registered and fail with this line when made; the page trains the project's
 * TypeScript envs (classic control) and env modules.
 */
export type { GymEnvOptions } from '../../src/envs/gym-bridge/index.js';
// Plain data that src/envs/atari/index.ts re-exports: the real module, which spawns nothing.
export { ATARI_BACKENDS, DQN_ATARI_DEFAULTS, type AtariBackend, type AtariPreprocessingOptions } from '../../src/envs/gym-bridge/atari-preprocessing.js';

const NO_PYTHON = "Gymnasium and Atari envs run in Python beside Node; the browser page trains the project's TypeScript envs (classic control) and env modules";

export class GymEnv {
  constructor() {
    throw new Error(NO_PYTHON);
  }
}

export class GymVectorEnv {
  constructor() {
    throw new Error(NO_PYTHON);
  }
}
