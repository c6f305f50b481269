import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recording, testAgentTransport, until } from '../../test/support/agent-transport-contract.js';
import { nodeWorkerHost } from '../../test/support/node-agent-worker.js';
import { WebWorkerTransport } from './web-worker-transport.js';

const ECHO_AGENT = new URL('../../test/support/web-worker-echo-agent.js', import.meta.url);

for (const sharedMemory of [true, false]) {
  const host = nodeWorkerHost(ECHO_AGENT, sharedMemory);
  testAgentTransport(`WebWorkerTransport (${sharedMemory ? 'SharedArrayBuffer' : 'posted'} parameters)`, (agentInit) => new WebWorkerTransport({ host, agents: 2, agentInit, numParams: 3, maxQueuedPerAgent: 1 }));
}

test('WebWorkerTransport: pause holds every agent at its full queue; resume delivers the held messages in order and lets them go on', async () => {
  const transport = new WebWorkerTransport({ host: nodeWorkerHost(ECHO_AGENT, true), agents: 2, agentInit: (_id, restart) => ({ restart, failToStart: false }), numParams: 3, maxQueuedPerAgent: 1 });
  const { handlers, messages, failures } = recording();
  transport.publish(new Float32Array(3));
  await transport.start(handlers);
  await until(() => messages.length > 0, 'a first message');
  transport.pause();
  const atPause = messages.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(messages.length, atPause, 'nothing is delivered while paused');
  transport.resume();
  // Each agent had at most one message queued when it stopped for room, which resume delivers at once.
  assert.ok(messages.length <= atPause + 2, `${messages.length - atPause} held messages delivered`);
  await until(() => messages.length > atPause + 10, 'agents going on after resume');
  await transport.stop();
  for (const agentId of [0, 1]) {
    const sent = messages.filter((m) => m.agentId === agentId).map((m) => (m.body as { sent: number }).sent);
    assert.deepEqual(sent, sent.map((_, i) => i), `agent ${agentId}'s messages arrive in order across the pause`);
  }
  assert.deepEqual(failures, []);
});

test('WebWorkerTransport without shared memory refuses shared arrays (hogwild) with the reason', () => {
  const transport = new WebWorkerTransport({ host: nodeWorkerHost(ECHO_AGENT, false), agents: 1, agentInit: () => ({ restart: 0, failToStart: false }), numParams: 3, maxQueuedPerAgent: 1 });
  assert.throws(() => transport.shareArray('squareAvg', 3), /the workers share no memory \(SharedArrayBuffer needs a cross-origin isolated page\)$/);
});
