/**
 * Node's worker_threads behind the Worker-like interfaces of the Web Worker transport
 * (src/parallel/web-worker-transport.ts, web-worker-agent.ts), so that its tests and the modes
 * over it run in `npm test` rather than only in a browser.
 */
import { parentPort, Worker } from 'node:worker_threads';
import type { AgentPort } from '../../src/parallel/web-worker-agent.js';
import type { AgentWorker, AgentWorkerHost, WorkerCommand } from '../../src/parallel/web-worker-transport.js';

class NodeAgentWorker implements AgentWorker {
  constructor(private readonly worker: Worker) {}

  postMessage(message: WorkerCommand, transfer: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  addEventListener(type: 'message' | 'error', listener: (event: { data: unknown } & { message: string }) => void): void {
    if (type === 'message') this.worker.on('message', (data: unknown) => listener({ data, message: '' }));
    else this.worker.on('error', (err: Error) => listener({ data: undefined, message: err.message }));
  }

  terminate(): void {
    void this.worker.terminate();
  }
}

/** Agent workers on worker_threads running `agentModule`; `sharedMemory` false makes the transport post parameters, as on a page that is not cross-origin isolated. */
export function nodeWorkerHost(agentModule: URL, sharedMemory: boolean): AgentWorkerHost {
  return { sharedMemory, spawn: () => new NodeAgentWorker(new Worker(agentModule)) };
}

/** Inside such a worker: its port to the trainer. */
export function parentAgentPort(): AgentPort {
  const port = parentPort;
  if (port === null) throw new Error('parentAgentPort: not in a worker thread');
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer),
    addEventListener: (_type, listener) => port.on('message', (data: unknown) => listener({ data })),
  };
}
