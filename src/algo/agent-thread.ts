/** The module every agent thread of a ThreadTransport runs. */
import { registerAtariEnvs } from '../envs/atari/index.js';
import { importEnvModule } from '../envs/env-module.js';
import { initBackend } from '../nn/kernels/backend.js';
import { runAgentThread } from '../parallel/thread-agent.js';
import { createAgent, type AgentInit } from './agent-loop.js';

runAgentThread(async (init, link) => {
  const backend = await initBackend({ threads: 1 });
  registerAtariEnvs();
  const { config } = init as AgentInit;
  if (config.envModule !== null) await importEnvModule(config.envModule);
  return createAgent(init as AgentInit, link, backend);
});
