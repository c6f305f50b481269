import { prepareEnvs } from '../../envs/prepare-envs.js';
import { initBackend } from '../../nn/kernels/backend.js';
import type { AgentLink, AgentProcess } from '../../parallel/transport.js';
import { createAgent, type AgentInit } from './agent.js';

/**
 * What every agent of a run does where it runs (a thread, a Web Worker): its tfjs backend on one
 * thread, the env ids of the run (its env module), then the agent for `init` (an AgentInit from
 * create-transport.ts) over `link`.
 * @throws Error when the env module cannot be imported or the agent cannot be built.
 */
export async function startAgent(init: unknown, link: AgentLink): Promise<AgentProcess> {
  const agentInit = init as AgentInit;
  const backend = await initBackend({ threads: 1 });
  await prepareEnvs(agentInit.config.envModule);
  return createAgent(agentInit, link, backend);
}
