/** The module every agent thread of a ThreadTransport runs. */
import { runAgentThread } from '../../parallel/thread-agent.js';
import { startAgent } from './start-agent.js';

runAgentThread(startAgent);
