/**
 * A Redis agent thread for transport tests: every few milliseconds it sends the parameters it
 * pulled (when their version changed) and a counter, tagged with the trainer's `init`.
 */
import { runRedisAgentThread } from '../../src/parallel/redis-agent.js';

/** What the echo agents' trainer hands them. */
export interface RedisEchoInit {
  numParams: number;
  tag: string;
}

/** What each echo message carries. */
export interface RedisEchoBody {
  params: Float32Array;
  sent: number;
  tag: string;
}

const STEP_MS = 5;

runRedisAgentThread(async (init, link) => {
  const { numParams, tag } = init as RedisEchoInit;
  const params = new Float32Array(numParams);
  let version = link.pull(params);
  let sent = 0;
  return {
    description: `echo ${tag}`,
    async step() {
      if (link.stopping()) return false;
      await new Promise((resolve) => setTimeout(resolve, STEP_MS));
      if (link.version !== version) version = link.pull(params);
      const body: RedisEchoBody = { params: params.slice(), sent: sent++, tag };
      return link.send({ agentId: link.agentId, paramsVersion: version, envSteps: 1, body });
    },
    close() {},
  };
});
