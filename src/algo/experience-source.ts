import type { VectorEnv } from '../envs/core.js';
import { Rng } from '../utils/rng.js';
import type { ActorCriticNet } from '../nn/networks.js';
import { NStepCollector, type EpisodeRecord } from './n-step.js';
import { actionLayoutOf, NetPolicy } from './policy.js';
import { TransitionBatch, type TransitionArrays } from './transition-batch.js';

export interface ExperienceSourceOptions {
  gamma: number;
  nSteps: number;
  seed: number;
  /** Steps each draw of the policy's sampling noise is held for (NetPolicy). */
  noiseHoldSteps: number;
}

/**
 * An agent's experience (ptan's experience source): its vector env, acting with its network copy
 * through the n-step collector, handed out in rollouts of a fixed number of transitions. Every
 * mode collects through this class (agent-loop.ts); modes differ only in what is done with them.
 */
export class ExperienceSource {
  readonly obsShape: readonly number[];
  private readonly collector: NStepCollector;
  private readonly buffer: TransitionBatch;
  private reportedSteps = 0;

  /** @throws Error when the network's policy head does not act in the env's action space. */
  constructor(
    readonly env: VectorEnv,
    readonly net: ActorCriticNet,
    options: ExperienceSourceOptions,
  ) {
    const space = env.singleObservationSpace;
    this.obsShape = space.shape;
    const layout = actionLayoutOf(net.spec);
    const actionSpace = env.singleActionSpace;
    const fits = layout.kind === 'box' ? actionSpace.kind === 'box' && actionSpace.size === layout.size : actionSpace.kind === 'discrete' && actionSpace.n === layout.n;
    if (!fits) throw new Error(`the network acts in ${layout.kind === 'box' ? `Box actions of ${layout.size}` : `Discrete(${layout.n})`}; the env's action space is ${actionSpace}`);
    const rng = new Rng(options.seed);
    const policy = new NetPolicy(net, space.shape, rng, false, options.noiseHoldSteps);
    this.collector = new NStepCollector(env, policy, options.gamma, options.nSteps, rng.fork() % 2 ** 31);
    this.buffer = new TransitionBatch(space.size, space.dtype, layout);
  }

  /** Steps the envs until `count` transitions are ready and returns exactly that many. */
  collect(count: number): TransitionArrays {
    while (this.buffer.size < count) this.collector.step(this.buffer);
    return this.buffer.take(count);
  }

  /** Episodes finished since the last call. */
  takeEpisodes(): EpisodeRecord[] {
    return this.collector.finishedEpisodes.splice(0);
  }

  /** Env restarts (after its process died) since the last call, one line each. */
  takeEnvRestarts(): string[] {
    return this.collector.envRestarts.splice(0);
  }

  /** Env steps taken since the last call. */
  takeEnvSteps(): number {
    const steps = this.collector.envSteps - this.reportedSteps;
    this.reportedSteps = this.collector.envSteps;
    return steps;
  }
}
