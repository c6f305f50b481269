/**
 * The DQN preprocessing the env server applies to Atari ids: ptan's `wrap_dqn` as used by the
 * reference (Lapan, Deep RL Hands-On, Chapter 13; shared/reference/pytorch-a3c/a3c_core.py),
 * implemented in python/env_server.py (class DqnAtari).
 */
export interface AtariPreprocessingOptions {
  /** Reset plays 1..noopMax no-op frames, drawn uniformly (NoopReset); 0 turns it off. */
  noopMax: number;
  /** Emulator frames per agent step; the observation is the max of the last two (MaxAndSkip). */
  frameSkip: number;
  /** Reset presses FIRE then action 2, one agent step each, in games whose action 1 is FIRE (FireReset). */
  fireReset: boolean;
  /** A lost life ends the agent's episode; the game goes on and restarts only after game over (EpisodicLife). */
  episodicLife: boolean;
  /** Grayscale, resized to 84x84 with cv2 INTER_AREA (WarpFrame); false keeps the RGB screen [210, 160, 3]. */
  warpFrame: boolean;
  /** Frames per observation, oldest first, as channels: [frameStack, 84, 84] (FrameStack). */
  frameStack: number;
  /** The reward is the sign of the step's summed reward (ClipReward); `info.rawReward` keeps the score. */
  clipRewards: boolean;
}

/** ptan's `wrap_dqn` with the reference's arguments (a3c_core.make_atari). */
export const DQN_ATARI_DEFAULTS: Readonly<AtariPreprocessingOptions> = Object.freeze({
  noopMax: 30,
  frameSkip: 4,
  fireReset: true,
  episodicLife: true,
  warpFrame: true,
  frameStack: 4,
  clipRewards: true,
});

const MIN_VALUE: Readonly<Record<'noopMax' | 'frameSkip' | 'frameStack', number>> = { noopMax: 0, frameSkip: 1, frameStack: 1 };

/** Merges `options` over the defaults and checks each value. */
export function resolveAtariPreprocessing(options: Partial<AtariPreprocessingOptions> = {}): AtariPreprocessingOptions {
  const resolved: AtariPreprocessingOptions = { ...DQN_ATARI_DEFAULTS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DQN_ATARI_DEFAULTS)) {
      throw new Error(`atari preprocessing: unknown option "${name}"; accepted options: ${Object.keys(DQN_ATARI_DEFAULTS).join(', ')}`);
    }
    const key = name as keyof AtariPreprocessingOptions;
    if (key in MIN_VALUE) {
      const min = MIN_VALUE[key as keyof typeof MIN_VALUE];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        throw new Error(`atari preprocessing: ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
      }
    } else if (typeof value !== 'boolean') {
      throw new Error(`atari preprocessing: ${name} must be a boolean, got ${JSON.stringify(value)}`);
    }
    (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  return resolved;
}
