/**
 * The DQN preprocessing the env server applies to Atari ids: ptan's `wrap_dqn` as used by the
 * reference (Lapan, Deep RL Hands-On, Chapter 13; shared/reference/pytorch-a3c/a3c_core.py),
 * written out by the python backend (python/env_server.py, class DqnAtari), which with the
 * defaults gives the reference's observations, rewards and episode ends exactly (checked step by
 * step against a3c_core.py's wrappers, 6000 random steps each of Breakout and Pong, given the same
 * no-op draws).
 *
 * Two backends serve these options (AtariBackend): ale-vector (the default), ale-py's C++
 * AtariVectorEnv with the same learning signal (a lost life ends the episode, rewards clipped,
 * whole-game raw scores reported), and python, DqnAtari frame by frame. CPU per agent step, Pong,
 * 8 copies, one core of this 2-core AMD EPYC, the server alone: ale-vector 342 us, python 411 us
 * (489 and 548 us when each step waits 2 ms for its actions, as in training). Where ale-vector
 * differs from the reference by construction (its tests: ale-vector.test.ts):
 * - it max-pools the two grayscale frames, where the reference converts the max of the RGB frames
 *   (ALE's gray palette equals cv2's RGB2GRAY, but the two orders differ where a pixel changes
 *   colour between the two frames: in Pong ~0.2% of pixels on 80% of steps), and resizes with
 *   ALE's own filter;
 * - a reset plays 0..noopMax-1 no-op frames and FIRE for one frame (the reference: 1..30 no-ops,
 *   then FIRE and action 2 for an agent step each); after a lost life the game goes on at once,
 *   with no NOOP/no-op/FIRE reset, so in Breakout the agent launches the next ball itself;
 * - the reset frame stack is zero-padded (the reference repeats the first frame).
 * Gymnasium's AtariPreprocessing differs further (no FIRE reset, `terminal_on_life_loss` resets
 * the whole game, no reward clipping) and is no cheaper.
 * For `ALE/<Game>-v5` ids the base env is made with frameskip 1 (MaxAndSkip does the skipping),
 * keeping v5's sticky actions (repeat_action_probability 0.25) unless makeKwargs change it.
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

/**
 * Who does the preprocessing in the env server: `ale-vector`, ale-py's AtariVectorEnv (C++,
 * emulation and preprocessing of all copies in one call; class AleVectorBatch), or `python`, the
 * frame-by-frame wrap_dqn above (class DqnAtari). README "Atari backends" lists where they differ.
 */
export type AtariBackend = 'ale-vector' | 'python';
export const ATARI_BACKENDS: readonly AtariBackend[] = ['ale-vector', 'python'];
export const DEFAULT_ATARI_BACKEND: AtariBackend = 'ale-vector';

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
