/** The echo agent (echo-agent-process.ts) in a ThreadTransport's agent thread. */
import { runAgentThread } from '../../src/parallel/thread-agent.js';
import { createEchoAgent } from './echo-agent-process.js';

export type { EchoAgentInit } from './echo-agent-process.js';

runAgentThread(createEchoAgent);
