/**
 * One agent of the training page, in a Web Worker: the project's own agent (src/algo/agent),
 * over the Web Worker transport's agent side (src/parallel/web-worker-agent.ts), on tfjs-wasm
 * with one thread.
 */
import { startAgent } from '../../src/algo/agent/start-agent.js';
import { runWorkerAgent, type AgentPort } from '../../src/parallel/web-worker-agent.js';
import { initWebBackend } from './web-backend.js';

const AGENT_THREADS = 1;

runWorkerAgent(self as unknown as AgentPort, async (init, link) => {
  await initWebBackend(AGENT_THREADS);
  return startAgent(init, link);
});
