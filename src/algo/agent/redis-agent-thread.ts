/**
 * The module every agent thread of a run over Redis runs: `a3c agent` on any host, and a trainer's
 * own agents. The trainer's `init` is the same for all; each agent seeds itself from its id.
 */
import { prepareEnvs } from '../../envs/prepare-envs.js';
import { initBackend } from '../../nn/kernels/backend.js';
import { runRedisAgentThread } from '../../parallel/redis-agent.js';
import { agentSeed, createAgent, type AgentInit } from './agent.js';

runRedisAgentThread(async (init, link) => {
  const shared = init as AgentInit;
  const backend = await initBackend({ threads: 1 });
  await prepareEnvs(shared.config.envModule);
  return createAgent({ ...shared, seed: agentSeed(shared.seed, link.agentId) }, link, backend);
});
