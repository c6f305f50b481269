/**
 * What every transport that starts its own agents must do (threads, Web Workers), as tests over
 * the echo agent (echo-agent-process.ts): parameters out with their version, messages back in
 * order, crashes replaced, agents that cannot start or that always crash failing the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope, TrainerTransport, TransportHandlers } from '../../src/parallel/transport.js';
import type { EchoAgentInit } from './echo-agent-process.js';

/** A transport of 2 echo agents over 3 parameters, queues of 1, each agent started from `agentInit`. */
export type EchoTransportFactory = (agentInit: (agentId: number, restart: number) => EchoAgentInit) => TrainerTransport;

interface EchoBody {
  params: Float32Array;
  sent: number;
  restart: number;
}

export function recording(): { handlers: TransportHandlers; messages: Envelope[]; logs: string[]; failures: Error[] } {
  const messages: Envelope[] = [];
  const logs: string[] = [];
  const failures: Error[] = [];
  return {
    messages,
    logs,
    failures,
    handlers: { onMessage: (e) => messages.push(e), onLog: (l) => logs.push(l), onFailure: (e) => failures.push(e), onDropped: (_kind, detail) => failures.push(new Error(detail)) },
  };
}

export const until = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Registers the contract's tests for the transport `name` that `create` makes. */
export function testAgentTransport(name: string, create: EchoTransportFactory): void {
  const echoTransport = (failToStart = false, failAtStep?: number) => create((_agentId, restart) => ({ restart, failToStart, failAtStep }));

  test(`${name}: agents receive published parameters and send messages with their provenance`, async () => {
    const transport = echoTransport();
    const { handlers, messages, failures } = recording();
    transport.publish(Float32Array.of(1, 1, 1));
    assert.deepEqual(await transport.start(handlers), ['echo agent 0 (start 0)', 'echo agent 1 (start 0)']);
    await until(() => messages.some((m) => m.agentId === 0) && messages.some((m) => m.agentId === 1), 'both agents');
    assert.equal(transport.publish(Float32Array.of(2, 2, 2)), 2);
    await until(() => messages.some((m) => m.paramsVersion === 2), 'a message computed with version 2');
    await transport.stop();
    const count = messages.length;
    for (const m of messages) {
      const body = m.body as EchoBody;
      assert.ok(body.params instanceof Float32Array, 'typed arrays arrive as typed arrays');
      assert.deepEqual([...body.params], [m.paramsVersion, m.paramsVersion, m.paramsVersion], 'the parameters of the version it names');
      assert.equal(m.envSteps, 1);
    }
    for (const agentId of [0, 1]) {
      const sent = messages.filter((m) => m.agentId === agentId).map((m) => (m.body as EchoBody).sent);
      assert.deepEqual(sent, sent.map((_, i) => i), `agent ${agentId}'s messages arrive in order, none lost`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(messages.length, count, 'nothing arrives after stop()');
    assert.deepEqual(failures, []);
  });

  test(`${name}: a killed agent is reported and replaced with its next start-up data; kill after stop is refused`, async () => {
    const transport = echoTransport();
    const { handlers, messages, logs, failures } = recording();
    transport.publish(new Float32Array(3));
    await transport.start(handlers);
    assert.equal(await transport.kill(0), true);
    await until(() => messages.some((m) => m.agentId === 0 && (m.body as EchoBody).restart === 1), 'the replacement');
    assert.equal(logs.length, 1);
    assert.match(logs[0], /^agent 0 crashed \(crash injected by kill\(\)\); starting a replacement$/);
    await transport.stop();
    assert.equal(await transport.kill(1), false);
    assert.deepEqual(failures, []);
  });

  test(`${name}: an agent that cannot start fails the run with one line`, async () => {
    const transport = echoTransport(true);
    const { handlers, failures } = recording();
    transport.publish(new Float32Array(3));
    void transport.start(handlers);
    await until(() => failures.length > 0, 'the failure');
    assert.match(failures[0].message, /^agent [01] failed to start: no env for this agent$/);
    await transport.stop();
  });

  test(`${name}: an agent that crashes the same way after its replacement fails the run instead of crashing on`, async () => {
    const transport = echoTransport(false, 3);
    const { handlers, logs, failures } = recording();
    transport.publish(new Float32Array(3));
    await transport.start(handlers);
    await until(() => failures.length > 0, 'the failure');
    assert.match(failures[0].message, /^agent [01] crashed twice with the same error: the env broke$/);
    assert.ok(logs.some((l) => /^agent [01] crashed \(the env broke\); starting a replacement$/.test(l)), logs.join('\n'));
    await transport.stop();
  });
}
