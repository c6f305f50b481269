/**
 * An agent for transport tests, whatever runs it: sends, as fast as its queue allows, the
 * parameters it pulled with their version; fails to start, or at a given step, when its start-up
 * data says so. Entry modules: echo-agent.ts (threads), web-worker-echo-agent.ts (Web Workers).
 */
import type { AgentLink, AgentProcess } from '../../src/parallel/transport.js';

export interface EchoAgentInit {
  restart: number;
  failToStart: boolean;
  /** Throw at this step of every start (an env that always breaks), if set. */
  failAtStep?: number;
}

/** The echo agent for `init` (an EchoAgentInit) over `link`. */
export async function createEchoAgent(init: unknown, link: AgentLink): Promise<AgentProcess> {
  const { restart, failToStart, failAtStep } = init as EchoAgentInit;
  if (failToStart) throw new Error('no env for this agent');
  const params = new Float32Array(3);
  let sent = 0;
  return {
    description: `echo agent ${link.agentId} (start ${restart})`,
    step() {
      if (sent === failAtStep) throw new Error('the env broke');
      const paramsVersion = link.pull(params);
      return link.send({ agentId: link.agentId, paramsVersion, envSteps: 1, body: { params: params.slice(), sent: sent++, restart } });
    },
    close() {},
  };
}
