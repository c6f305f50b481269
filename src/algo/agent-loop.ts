import { makeVectorEnv } from '../envs/registry.js';
import { createNet, type ActorCriticNet, type NetSpec } from '../nn/networks.js';
import type { AgentLink } from '../parallel/transport.js';
import type { AgentProcess } from '../parallel/transport.js';
import { Agent } from './agent.js';
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
  const net: ActorCriticNet = createNet(netSpec, init.seed);
  const params = new Float32Array(net.numParams);
  let paramsVersion = link.pull(params);
  net.setParams(params);
  const env = makeVectorEnv(config.env, init.numEnvs);
  let agent: Agent;
  try {
    agent = new Agent(env, net, { gamma: config.gamma, nSteps: config.nSteps, seed: init.seed });
  } catch (err) {
    env.close();
    net.dispose();
    throw err;
  }
  const half = mode.agent(net, { config, obsShape: agent.obsShape });
  return {
    description,
    step() {
      if (link.stopping()) return false;
      if (link.version !== paramsVersion) {
        paramsVersion = link.pull(params);
        net.setParams(params);
      }
      const rollout = agent.collect(half.rolloutSize);
      const body: AgentReport = { episodes: agent.takeEpisodes(), logs: agent.takeEnvRestarts(), work: half.process(rollout) };
      return link.send({ agentId: link.agentId, paramsVersion, envSteps: agent.takeEnvSteps(), body });
    },
    close() {
      env.close();
      net.dispose();
    },
  };
}
