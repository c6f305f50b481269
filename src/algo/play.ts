import type { Env } from '../envs/core.js';
import { make } from '../envs/registry.js';
import { Rng } from '../utils/rng.js';
import { Discrete } from '../envs/spaces.js';
import type { Checkpoint } from '../io/checkpoint.js';
import { createNet } from '../nn/networks.js';
import { checkpointConfig } from './checkpoint-config.js';
import { NetPolicy, netSpecFor } from './policy.js';

export interface PlayOptions {
  episodes: number;
  /** Episode e resets with seed `seed + e`; stochastic actions draw from `Rng(seed)`, as `a3c eval`. */
  seed: number;
  /** Sample from the policy instead of taking its most probable action. */
  stochastic?: boolean;
  /** Sees the env after every reset and every step, e.g. to draw a frame of `env.unwrapped`. */
  onEnv?: (env: Env) => void;
}

/** Rewards and lengths of the episodes played. */
export interface PlayResult {
  env: string;
  episodes: number;
  meanReward: number;
  rewards: number[];
  lengths: number[];
}

/**
 * Plays whole episodes in the env the checkpoint was trained on with its policy (greedy by default).
 * `path` names the checkpoint in errors.
 * @throws RangeError for a non-positive episode count; Error when the checkpoint's network does
 *   not fit the env; CheckpointError when its saved config is invalid.
 */
export function playCheckpoint(checkpoint: Checkpoint, options: PlayOptions, path: string): PlayResult {
  if (!Number.isInteger(options.episodes) || options.episodes < 1) throw new RangeError(`play: episodes must be a positive integer, got ${options.episodes}`);
  const config = checkpointConfig(checkpoint, path);
  const envId = config.env;
  const env = make(envId);
  try {
    if (!(env.actionSpace instanceof Discrete)) throw new Error(`play: ${envId} has no Discrete action space; the policy picks discrete actions`);
    const expected = netSpecFor(env.observationSpace, env.actionSpace, config.hidden);
    if (JSON.stringify(expected) !== JSON.stringify(checkpoint.netSpec)) {
      throw new Error(`play: the checkpoint's network ${JSON.stringify(checkpoint.netSpec)} does not fit ${envId}, which needs ${JSON.stringify(expected)}`);
    }
    const net = createNet(checkpoint.netSpec, 0);
    try {
      net.setParams(checkpoint.params);
      const policy = new NetPolicy(net, env.observationSpace.shape, env.actionSpace.n, new Rng(options.seed), !options.stochastic);
      const rewards: number[] = [];
      const lengths: number[] = [];
      for (let e = 0; e < options.episodes; e++) {
        let { obs } = env.reset({ seed: options.seed + e });
        options.onEnv?.(env);
        let reward = 0;
        let length = 0;
        for (;;) {
          const step = env.step(policy.act(obs, 1).actions[0]);
          options.onEnv?.(env);
          reward += step.reward;
          length++;
          obs = step.obs;
          if (step.terminated || step.truncated) break;
        }
        rewards.push(reward);
        lengths.push(length);
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
