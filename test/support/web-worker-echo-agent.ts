/** The echo agent (echo-agent-process.ts) in a WebWorkerTransport's worker, run on worker_threads. */
import { runWorkerAgent } from '../../src/parallel/web-worker-agent.js';
import { createEchoAgent } from './echo-agent-process.js';
import { parentAgentPort } from './node-agent-worker.js';

runWorkerAgent(parentAgentPort(), createEchoAgent);
