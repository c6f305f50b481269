/**
 * One A3C agent and what crosses between it and the trainer: what it starts from (AgentInit), what
 * it reports (AgentReport, checked by reportProblem), its seed, and createAgent, which builds it
 * for a transport to step.
 */
import { makeVectorEnv } from '../../envs/registry.js';
import { envOptionsFor } from '../config/env-options.js';
import { VecNormalize, type NormalizationIncrements } from '../../envs/vec-normalize.js';
import { createNet, type ActorCriticNet, type NetSpec } from '../../nn/networks.js';
import type { AgentLink, AgentProcess } from '../../parallel/transport.js';
import { Rng } from '../../utils/rng.js';
import { ExperienceSource } from '../rollout/experience-source.js';
import type { TrainConfig } from '../config/config.js';
import { modeNamed } from '../modes/index.js';
import { adoptPublishedStats, publishedStatsSize } from './normalization.js';
import type { EpisodeRecord } from '../rollout/collector.js';
import { isWithin, MAX_ABS_RETURN } from '../rollout/input-bounds.js';

/** What an agent starts from (structured-cloneable: it crosses to the agent's thread). */
export interface AgentInit {
  config: TrainConfig;
  netSpec: NetSpec;
  /** Seeds the agent's network initialisation, env resets and action sampling. */
  seed: number;
  /** Env copies the agent steps together. */
  numEnvs: number;
  /** The run's env steps when this process started it: 0, or a resumed checkpoint's. */
  envStepsAtStart: number;
}

/** The body of every agent message: the mode's work, and what the runner counts. */
export interface AgentReport {
  /** Episodes that ended since the agent's previous message. */
  episodes: EpisodeRecord[];
  /** Lines for the user (an env process restarted), since the previous message. */
  logs: string[];
  /** The mode's work: transitions, or a gradient. */
  work: unknown;
  /**
   * With normalisation: moments of the observations and discounted returns the agent saw since
   * its previous message, for the trainer to merge (normalization.ts); absent or null otherwise.
   */
  normalization?: NormalizationIncrements | null;
}

/**
 * The seed of agent `agentId` of a run seeded with `runSeed`: the `agentId`-th fork of the run's
 * RNG, so that agent k gets the same seed on every transport.
 */
export function agentSeed(runSeed: number, agentId: number): number {
  const rng = new Rng(runSeed);
  let seed = 0;
  for (let i = 0; i <= agentId; i++) seed = rng.fork() % 2 ** 31;
  return seed;
}

/** Lines a report may carry; more are not plausible from one rollout. */
const MAX_REPORT_LOGS = 100;
const MAX_LOG_CHARS = 1000;

/**
 * Why `body`, which may come from another process, is not an AgentReport (episodes of a finite
 * reward within MAX_ABS_RETURN and an integer length, short log lines, some work), or null when it
 * is. The work itself is the mode's to check (ModeTrainer.check).
 */
export function reportProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return 'the body is not a report object';
  const report = body as Partial<Record<keyof AgentReport, unknown>>;
  const { episodes, logs } = report;
  if (!Array.isArray(episodes)) return 'episodes is not an array';
  const badEpisode = episodes.findIndex((e: Partial<Record<keyof EpisodeRecord, unknown>> | null) => {
    return typeof e !== 'object' || e === null || !isWithin(e.reward, MAX_ABS_RETURN) || !Number.isSafeInteger(e.length) || (e.length as number) < 0;
  });
  if (badEpisode >= 0) return `episode ${badEpisode} is not {reward: finite number within ±${MAX_ABS_RETURN}, length: non-negative integer}`;
  if (!Array.isArray(logs) || logs.length > MAX_REPORT_LOGS || !logs.every((l) => typeof l === 'string' && l.length <= MAX_LOG_CHARS)) {
    return `logs is not an array of at most ${MAX_REPORT_LOGS} strings of at most ${MAX_LOG_CHARS} characters`;
  }
  return 'work' in report ? null : 'the report has no work';
}

/**
 * One A3C agent (docs/architecture.md): its own network copy, its vector env and collector, and
 * the mode's agent half. Each `step` picks up newer parameters if there are any, collects one rollout,
 * lets the mode turn it into work and sends it with its provenance. Transports drive it: in a
 * worker thread, or in the trainer's thread for synchronous A2C.
 */
export function createAgent(init: AgentInit, link: AgentLink, description: string): AgentProcess {
  const { config, netSpec } = init;
  const mode = modeNamed(config.mode);
  const inner = makeVectorEnv(config.env, init.numEnvs, envOptionsFor(config));
  const net: ActorCriticNet = createNet(netSpec, init.seed);
  // The published vector: the parameters, then the normalisation statistics when there are any.
  const published = new Float32Array(net.numParams + publishedStatsSize(config, inner.singleObservationSpace.size));
  let normalizer: VecNormalize | null = null;
  const adopt = () => {
    net.setParams(published.subarray(0, net.numParams));
    if (normalizer !== null) adoptPublishedStats(normalizer, published.subarray(net.numParams));
  };
  let paramsVersion = link.pull(published);
  let experience: ExperienceSource;
  try {
    if (config.normalizeObs || config.normalizeReward) {
      normalizer = new VecNormalize(inner, { obs: config.normalizeObs, reward: config.normalizeReward, gamma: config.gamma });
    }
    adopt();
    const { gamma, nSteps, returns, gaeLambda, noiseHoldSteps } = config;
    experience = new ExperienceSource(normalizer ?? inner, net, { gamma, nSteps, returns, gaeLambda, seed: init.seed, noiseHoldSteps });
  } catch (err) {
    inner.close();
    net.dispose();
    throw err;
  }
  const env = experience.env;
  const half = mode.agent(net, { config, obsShape: experience.obsShape, shared: link.sharedMemory?.() ?? null, envStepsAtStart: init.envStepsAtStart });
  return {
    description,
    step() {
      if (link.stopping()) return false;
      if (link.version !== paramsVersion) {
        paramsVersion = link.pull(published);
        adopt();
      }
      const rollout = experience.collect(half.rolloutSize);
      const body: AgentReport = {
        episodes: experience.takeEpisodes(),
        logs: experience.takeEnvRestarts(),
        work: half.process(rollout),
        normalization: normalizer?.takeIncrements() ?? null,
      };
      return link.send({ agentId: link.agentId, paramsVersion, envSteps: experience.takeEnvSteps(), body, lossy: half.lossyWork === true });
    },
    close() {
      env.close();
      net.dispose();
    },
  };
}
