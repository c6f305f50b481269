import { registerAtariEnvs } from '../envs/atari/index.js';
import { make } from '../envs/registry.js';
import { Discrete } from '../envs/spaces.js';
import { Rng } from '../envs/rng.js';
import { createNet } from '../nn/networks.js';
import { loadCheckpoint, CheckpointError } from '../io/checkpoint.js';
import { NetPolicy } from './policy.js';
import { netSpecFor } from './trainer.js';

export interface EvalOptions {
  episodes: number;
  seed?: number;
  /** Sample from the policy instead of taking its most probable action. */
  stochastic?: boolean;
  /** Env id to play in; defaults to the one the checkpoint was trained on. */
  env?: string;
}

export interface EvalResult {
  env: string;
  episodes: number;
  meanReward: number;
  rewards: number[];
  lengths: number[];
}

/** Plays whole episodes with a checkpoint's policy (greedy by default, as SB3's evaluate_policy). */
export function evaluateCheckpoint(path: string, options: EvalOptions): EvalResult {
  const checkpoint = loadCheckpoint(path);
  registerAtariEnvs();
  const envId = options.env ?? checkpoint.config.env;
  const env = make(envId);
  try {
    if (!(env.actionSpace instanceof Discrete)) throw new CheckpointError(`checkpoint ${path}: ${envId} has no Discrete action space`);
    const expected = netSpecFor(env.observationSpace, env.actionSpace, checkpoint.config.hidden);
    if (JSON.stringify(expected) !== JSON.stringify(checkpoint.netSpec)) {
      throw new CheckpointError(
        `checkpoint ${path}: its network ${JSON.stringify(checkpoint.netSpec)} does not fit ${envId}, which needs ${JSON.stringify(expected)}`,
      );
    }
    const net = createNet(checkpoint.netSpec, 0);
    net.setParams(checkpoint.params);
    const rng = new Rng(options.seed ?? 0);
    const policy = new NetPolicy(net, env.observationSpace.shape, env.actionSpace.n, rng, !options.stochastic);
    const rewards: number[] = [];
    const lengths: number[] = [];
    for (let e = 0; e < options.episodes; e++) {
      let { obs } = env.reset({ seed: (options.seed ?? 0) + e });
      let total = 0;
      let length = 0;
      for (;;) {
        const action = policy.act(obs, 1).actions[0];
        const step = env.step(action);
        total += step.reward;
        length++;
        obs = step.obs;
        if (step.terminated || step.truncated) break;
      }
      rewards.push(total);
      lengths.push(length);
    }
    net.dispose();
    return { env: envId, episodes: options.episodes, meanReward: rewards.reduce((a, b) => a + b, 0) / rewards.length, rewards, lengths };
  } finally {
    env.close();
  }
}
