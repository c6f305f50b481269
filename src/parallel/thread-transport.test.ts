import { testAgentTransport } from '../../test/support/agent-transport-contract.js';
import { ThreadTransport } from './thread-transport.js';

const ECHO_AGENT = new URL('../../test/support/echo-agent.js', import.meta.url);

testAgentTransport('ThreadTransport', (agentInit) => new ThreadTransport({ agentModule: ECHO_AGENT, agents: 2, agentInit, numParams: 3, maxQueuedPerAgent: 1 }));
