/** The module every agent thread of a ThreadTransport runs. */
import { prepareEnvs } from '../../envs/prepare-envs.js';
import { initBackend } from '../../nn/kernels/backend.js';
import { runAgentThread } from '../../parallel/thread-agent.js';
import { createAgent, type AgentInit } from './agent.js';

runAgentThread(async (init, link) => {
  const agentInit = init as AgentInit;
  const backend = await initBackend({ threads: 1 });
  await prepareEnvs(agentInit.config.envModule);
  return createAgent(agentInit, link, backend);
});
