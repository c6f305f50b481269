import type { VectorEnv } from '../../envs/core.js';
import { Rng } from '../../utils/rng.js';
import type { ActorCriticNet } from '../../nn/networks.js';
import type { Collector, EpisodeRecord } from './collector.js';
import type { ReturnsName } from '../config/config.js';
import { ForwardViewCollector } from './forward-view.js';
import { NStepCollector } from './n-step.js';
import { actionLayoutOf, NetPolicy } from './policy.js';
import { TransitionBatch, type TransitionArrays } from './transition-batch.js';

export interface ExperienceSourceOptions {
  gamma: number;
  /** first-last: n of the n-step windows; forward-view: the rollout length t_max per env copy. */
  nSteps: number;
  /** The collector: first-last n-step windows (NStepCollector) or forward-view rollouts (ForwardViewCollector). */
  returns: ReturnsName;
  /** forward-view: GAE's lambda (1: plain forward-view returns). */
  gaeLambda: number;
  seed: number;
  /** Steps each draw of the policy's sampling noise is held for (NetPolicy). */
  noiseHoldSteps: number;
}

/**
 * An agent's experience (ptan's experience source): its vector env, acting with its network copy
 * through the collector `returns` names, handed out in rollouts of a fixed number of transitions
 * (which need not line up with forward-view rollouts: a rollout may hold the end of one and the
 * start of the next). Every mode collects through this class (agent.ts); modes differ only
 * in what is done with them.
 */
export class ExperienceSource {
  readonly obsShape: readonly number[];
  private readonly collector: Collector;
  private readonly buffer: TransitionBatch;
  private reportedSteps = 0;

  /** @throws Error when the network's policy head does not act in the env's action space. */
  constructor(
    readonly env: VectorEnv,
    readonly net: ActorCriticNet,
    private readonly options: ExperienceSourceOptions,
  ) {
    const space = env.singleObservationSpace;
    this.obsShape = space.shape;
    const layout = actionLayoutOf(net.spec);
    const actionSpace = env.singleActionSpace;
    const fits = layout.kind === 'box' ? actionSpace.kind === 'box' && actionSpace.size === layout.size : actionSpace.kind === 'discrete' && actionSpace.n === layout.n;
    if (!fits) throw new Error(`the network acts in ${layout.kind === 'box' ? `Box actions of ${layout.size}` : `Discrete(${layout.n})`}; the env's action space is ${actionSpace}`);
    const rng = new Rng(options.seed);
    const policy = new NetPolicy(net, space.shape, rng, false, options.noiseHoldSteps);
    const collectorSeed = rng.fork() % 2 ** 31;
    const forwardView = options.returns === 'forward-view';
    this.collector = forwardView ? new ForwardViewCollector(env, policy, options, collectorSeed) : new NStepCollector(env, policy, options.gamma, options.nSteps, collectorSeed);
    this.buffer = new TransitionBatch(space.size, space.dtype, layout, { episodeStarts: forwardView });
  }

  /**
   * Steps the envs until `count` transitions are ready and returns exactly that many. For a
   * recurrent network each call returns one forward-view rollout with its sequence layout.
   * @throws Error for a recurrent network when `count` is not a whole rollout (nSteps x numEnvs).
   */
  collect(count: number): TransitionArrays {
    const forwardView = this.collector instanceof ForwardViewCollector ? this.collector : null;
    if (this.net.lstmCells > 0 && (forwardView === null || count !== this.options.nSteps * this.env.numEnvs)) {
      throw new Error(`a recurrent policy trains on whole forward-view rollouts of nSteps x env copies = ${this.options.nSteps * this.env.numEnvs} transitions; asked for ${count}`);
    }
    while (this.buffer.size < count) this.collector.step(this.buffer);
    const rollout = this.buffer.take(count);
    const initialState = forwardView?.emittedStates.shift();
    if (this.net.lstmCells > 0) rollout.sequences = { steps: this.options.nSteps, initialState: initialState! };
    return rollout;
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
