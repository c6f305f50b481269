/** An A3C agent (start-agent.ts) in a WebWorkerTransport's worker, run on worker_threads: the page's agent worker (web/train/agent-worker.ts) without the browser. */
import { startAgent } from '../../src/algo/agent/start-agent.js';
import { runWorkerAgent } from '../../src/parallel/web-worker-agent.js';
import { parentAgentPort } from './node-agent-worker.js';

runWorkerAgent(parentAgentPort(), startAgent);
