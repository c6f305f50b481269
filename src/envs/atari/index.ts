import { GymEnv, GymVectorEnv, type GymEnvOptions } from '../gym-bridge/index.js';
import { registerEnvFamily, type EnvFamily } from '../registry.js';

/** Gymnasium's Atari ids: the legacy `<Game>NoFrameskip-v4` and ale-py's `ALE/<Game>-v5`. */
const ATARI_ID = /^(?:[A-Z][A-Za-z0-9]*NoFrameskip-v4|ALE\/[A-Z][A-Za-z0-9]*-v5)$/;

export const ATARI_FAMILY: EnvFamily = {
  name: 'Atari (Gymnasium + ale-py through the Python env server: <Game>NoFrameskip-v4, ALE/<Game>-v5)',
  matches: (id) => ATARI_ID.test(id),
  make: (id, options) => new GymEnv(id, gymEnvOptions(id, options)),
  makeVector: (id, numEnvs, options) => new GymVectorEnv(id, numEnvs, gymEnvOptions(id, options)),
};

/** Any Gymnasium id through the Python env server, as `gym:<id>` (e.g. `gym:CartPole-v1`). */
const GYMNASIUM_PREFIX = 'gym:';

export const GYMNASIUM_FAMILY: EnvFamily = {
  name: 'any Gymnasium id through the Python env server: gym:<id>',
  matches: (id) => id.startsWith(GYMNASIUM_PREFIX) && id.length > GYMNASIUM_PREFIX.length,
  make: (id, options) => new GymEnv(id.slice(GYMNASIUM_PREFIX.length), gymEnvOptions(id, options)),
  makeVector: (id, numEnvs, options) => new GymVectorEnv(id.slice(GYMNASIUM_PREFIX.length), numEnvs, gymEnvOptions(id, options)),
};

/**
 * Makes `make("PongNoFrameskip-v4")` and `make("ALE/Pong-v5")` return a GymEnv with ptan's DQN
 * preprocessing. Options: `atari` (preprocessing changes, or false for raw frames), `atariBackend`
 * (`ale-vector`, the default, or `python`), `makeKwargs` (for gymnasium.make), `python` (see
 * GymEnvOptions). Also registers `gym:<id>` for any other
 * Gymnasium id.
 */
export function registerAtariEnvs(): void {
  registerEnvFamily(ATARI_FAMILY);
  registerEnvFamily(GYMNASIUM_FAMILY);
}

/** `numEnvs` copies of an Atari id in one server process: what a vector of `make(id)` should be. */
export function makeAtariVectorEnv(id: string, numEnvs: number, options: Record<string, unknown> = {}): GymVectorEnv {
  if (!ATARI_FAMILY.matches(id)) throw new Error(`makeAtariVectorEnv: "${id}" is not an Atari id (<Game>NoFrameskip-v4 or ALE/<Game>-v5)`);
  return new GymVectorEnv(id, numEnvs, gymEnvOptions(id, options));
}

const OPTION_NAMES: readonly (keyof GymEnvOptions)[] = ['atari', 'atariBackend', 'makeKwargs', 'python'];

function gymEnvOptions(id: string, options: Record<string, unknown>): GymEnvOptions {
  for (const name of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`make("${id}"): unknown option "${name}"; accepted options: ${OPTION_NAMES.join(', ')}`);
    }
  }
  return options as GymEnvOptions;
}

export { ATARI_BACKENDS, DQN_ATARI_DEFAULTS, type AtariBackend, type AtariPreprocessingOptions } from '../gym-bridge/index.js';
