import { makeVectorEnv } from '../envs/registry.js';
import { createNet, type ActorCriticNet, type NetSpec } from '../nn/networks.js';
import type { AgentLink, AgentProcess } from '../parallel/transport.js';
import { ExperienceSource } from './experience-source.js';
import type { TrainConfig } from './config.js';
import { modeNamed } from './modes/index.js';
import type { EpisodeRecord } from './n-step.js';

/** What an agent starts from (structured-cloneable: it crosses to the agent's thread). */
export interface AgentInit {
  config: TrainConfig;
  netSpec: NetSpec;
  /** Seeds the agent's network initialisation, env resets and action sampling. */
  seed: number;
  /** Env copies the agent steps together. */
  numEnvs: number;
}

/** The body of every agent message: the mode's work, and what the runner counts. */
export interface AgentReport {
  /** Episodes that ended since the agent's previous message. */
  episodes: EpisodeRecord[];
  /** Lines for the user (an env process restarted), since the previous message. */
  logs: string[];
  /** The mode's work: transitions, or a gradient. */
  work: unknown;
}

/**
 * One A3C agent (DESIGN.md): its own network copy, its vector env and n-step collector, and the
 * mode's agent half. Each `step` picks up newer parameters if there are any, collects one rollout,
 * lets the mode turn it into work and sends it with its provenance. Transports drive it: in a
 * worker thread, or in the trainer's thread for synchronous A2C.
 */
export function createAgent(init: AgentInit, link: AgentLink, description: string): AgentProcess {
  const { config, netSpec } = init;
  const mode = modeNamed(config.mode);
  const env = makeVectorEnv(config.env, init.numEnvs);
  const net: ActorCriticNet = createNet(netSpec, init.seed);
  const params = new Float32Array(net.numParams);
  let paramsVersion = link.pull(params);
  net.setParams(params);
  let experience: ExperienceSource;
  try {
    experience = new ExperienceSource(env, net, { gamma: config.gamma, nSteps: config.nSteps, seed: init.seed });
  } catch (err) {
    env.close();
    net.dispose();
    throw err;
  }
  const half = mode.agent(net, { config, obsShape: experience.obsShape });
  return {
    description,
    step() {
      if (link.stopping()) return false;
      if (link.version !== paramsVersion) {
        paramsVersion = link.pull(params);
        net.setParams(params);
      }
      const rollout = experience.collect(half.rolloutSize);
      const body: AgentReport = { episodes: experience.takeEpisodes(), logs: experience.takeEnvRestarts(), work: half.process(rollout) };
      return link.send({ agentId: link.agentId, paramsVersion, envSteps: experience.takeEnvSteps(), body });
    },
    close() {
      env.close();
      net.dispose();
    },
  };
}
