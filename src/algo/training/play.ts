import type { Action, Env, Obs } from '../../envs/core.js';
import type { AtariBackend } from '../../envs/atari/index.js';
import { makeMonitored } from '../../envs/registry.js';
import { Rng } from '../../utils/rng.js';
import { normalizeObs } from '../../envs/vec-normalize.js';
import { CheckpointError, type Checkpoint } from '../../io/checkpoint.js';
import { createNet } from '../../nn/networks.js';
import { checkpointConfig } from './checkpoint-config.js';
import { envOptionsFor } from '../config/env-options.js';
import { NetPolicy, netSpecFor } from '../rollout/policy.js';

export interface PlayOptions {
  episodes: number;
  /** Episode e resets with seed `seed + e`; stochastic actions draw from `Rng(seed)`, as `a3c eval`. */
  seed: number;
  /** Sample from the policy instead of taking its most probable action (a Gaussian's mean). */
  stochastic?: boolean;
  /** Sees the env after every reset and every step, e.g. to draw a frame of `env.unwrapped`. */
  onEnv?: (env: Env) => void;
  /** Atari: play on this backend instead of the run's (recording needs python's RGB screens). */
  atariBackend?: AtariBackend;
}

/** Raw rewards and lengths (in agent steps) of the whole episodes played: Atari games over all their lives. */
export interface PlayResult {
  env: string;
  episodes: number;
  meanReward: number;
  rewards: number[];
  lengths: number[];
}

/**
 * Plays whole episodes in the env the checkpoint was trained on with its policy: the most probable
 * action, or a Gaussian's mean, clipped into the action space (SB3's evaluate_policy, deterministic),
 * or samples with `stochastic`. Observations are normalised with the checkpoint's statistics when
 * it trained with normalised observations. `path` names the checkpoint in errors.
 * @throws RangeError for a non-positive episode count; Error when the checkpoint's network does
 *   not fit the env; CheckpointError when its saved config is invalid or it lacks the
 *   normalisation statistics its config calls for.
 */
export function playCheckpoint(checkpoint: Checkpoint, options: PlayOptions, path: string): PlayResult {
  if (!Number.isInteger(options.episodes) || options.episodes < 1) throw new RangeError(`play: episodes must be a positive integer, got ${options.episodes}`);
  const config = checkpointConfig(checkpoint, path);
  const envId = config.env;
  const env = makeMonitored(envId, envOptionsFor({ env: envId, atariBackend: options.atariBackend ?? config.atariBackend }));
  try {
    const { actionSpace } = env;
    const expected = netSpecFor(env.observationSpace, actionSpace, config);
    if (JSON.stringify(expected) !== JSON.stringify(checkpoint.netSpec)) {
      throw new Error(`play: the checkpoint's network ${JSON.stringify(checkpoint.netSpec)} does not fit ${envId}, which needs ${JSON.stringify(expected)}`);
    }
    const obsStats = config.normalizeObs ? checkpoint.normalization?.obs : null;
    if (obsStats === undefined) throw new CheckpointError(`checkpoint ${path}: trained with normalizeObs but holds no normalisation statistics`);
    const observe = (obs: Obs): Obs => (obsStats === null ? obs : normalizeObs(obs, obsStats));
    const net = createNet(checkpoint.netSpec, 0);
    try {
      net.setParams(checkpoint.params);
      const policy = new NetPolicy(net, env.observationSpace.shape, new Rng(options.seed), !options.stochastic);
      // A recurrent policy starts each episode (each life of an Atari game, as in training) from a zero state.
      let episodeStart = 1;
      const act = (obs: Obs): Action => {
        const { actions } = policy.act(observe(obs), 1, [episodeStart]);
        episodeStart = 0;
        return actionSpace.kind === 'box' ? actionSpace.clip(actions) : actions[0];
      };
      const rewards: number[] = [];
      const lengths: number[] = [];
      for (let e = 0; e < options.episodes; e++) {
        let { obs } = env.reset({ seed: options.seed + e });
        episodeStart = 1;
        options.onEnv?.(env);
        for (;;) {
          const step = env.step(act(obs));
          options.onEnv?.(env);
          obs = step.obs;
          const episode = step.info.episode as { r: number; l: number } | undefined;
          if (episode !== undefined) {
            rewards.push(episode.r);
            lengths.push(episode.l);
            break;
          }
          // A training episode that is not a whole one (a lost life): the game goes on.
          if (step.terminated || step.truncated) {
            obs = env.reset().obs;
            episodeStart = 1;
          }
        }
      }
      const meanReward = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      return { env: envId, episodes: options.episodes, meanReward, rewards, lengths };
    } finally {
      net.dispose();
    }
  } finally {
    env.close();
  }
}
