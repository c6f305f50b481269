/**
 * The module every agent thread of a run over Redis runs: `a3c agent` on any host, and a trainer's
 * own agents. The trainer's `init` is the same for all; each agent seeds itself from its id. Code
 * comes only from the agent's own host (issue 21, the trust model): the env module it imports is
 * the one it was started with, and an `init` naming another is refused.
 */
import { prepareEnvs } from '../../envs/prepare-envs.js';
import { initBackend } from '../../nn/kernels/backend.js';
import { runRedisAgentThread } from '../../parallel/redis-agent.js';
import { agentSeed, createAgent, type AgentInit } from './agent.js';

/** What an agent's host gives it itself (RedisAgentThreadData.agentOptions). */
export interface HostAgentOptions {
  /** The env module this agent may import, resolved as the trainer resolves its own (resolveEnvModule); null for none. */
  envModule: string | null;
}

runRedisAgentThread(async (init, link, agentOptions) => {
  const shared = init as AgentInit;
  const { envModule } = agentOptions as HostAgentOptions;
  const wanted = shared.config.envModule;
  if (wanted !== envModule) {
    const own = envModule === null ? 'no --env-module' : `--env-module ${envModule}`;
    const fix = wanted === null ? 'start it without --env-module' : `start it with --env-module ${wanted}`;
    throw new Error(`the run's trainer uses env module ${wanted ?? 'none'}, and this agent was started with ${own}; agents import only the module on their own command line: ${fix}`);
  }
  const backend = await initBackend({ threads: 1 });
  await prepareEnvs(envModule);
  return createAgent({ ...shared, seed: agentSeed(shared.seed, link.agentId) }, link, backend);
});
