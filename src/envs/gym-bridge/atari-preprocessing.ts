/**
 * The DQN preprocessing the env server applies to Atari ids: ptan's `wrap_dqn` as used by the
 * reference (Lapan, Deep RL Hands-On, Chapter 13; shared/reference/pytorch-a3c/a3c_core.py),
 * implemented in python/env_server.py (class DqnAtari). With the defaults it gives the reference's
 * observations, rewards and episode ends exactly (checked step by step against a3c_core.py's
 * wrappers, 6000 random steps each of Breakout and Pong, given the same no-op draws).
 *
 * Why the server and not Gymnasium's or ale-py's own preprocessing: their semantics differ from
 * the reference's, and they are not much cheaper (CPU per agent step, Pong, 8 copies, this 2-core
 * box: the reference's wrappers 318 us, Gymnasium's AtariPreprocessing + FrameStackObservation 332
 * us, ale-py's C++ AtariVectorEnv 255 us, DqnAtari 321 us; preprocessing in TypeScript would have
 * to move 4 raw 210x160 RGB frames per agent step, whose emulation and transfer alone cost ~266 us).
 * Their differences from the reference:
 * - Gymnasium's AtariPreprocessing: max-pools grayscale frames, where the reference converts the
 *   max of the RGB frames (ALE's gray palette equals cv2's RGB2GRAY, but the two orders differ where
 *   a pixel changes colour between the two frames: in Pong ~0.2% of pixels on 80% of steps); no FIRE
 *   reset; `terminal_on_life_loss` resets the whole game on each lost life; no reward clipping;
 *   on a step that ends early the pooled frames are stale ones.
 * - ale-py's AtariVectorEnv: the same grayscale pooling and stale frames; no-ops drawn from
 *   0..noop_max-1, minus one where it presses FIRE, and FIRE is one frame (the reference: 1..30
 *   no-ops, then FIRE and action 2 for 4 frames each); `episodic_life` resets the game on each lost
 *   life and `life_loss_info` ends the episode without the reference's NOOP/no-op/FIRE reset; the
 *   reset frame stack is zero-padded (the reference repeats the first frame).
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
