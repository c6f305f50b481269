import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SharedParams, sharedMemoryOf } from './shared-params.js';
import { CONTROL_QUEUED_BASE, CONTROL_STOP, crashIndex, type ThreadAgentData, type ThreadAgentMessage } from './thread-transport.js';
import { INJECTED_CRASH, stepUntilStopped, transferablesOf, type AgentLink, type AgentProcess, type Envelope, type SharedMemory } from './transport.js';

/** How often an agent waiting on its queue bound wakes up to see a stop request. */
const WAIT_SLICE_MS = 100;

/** The agent side of a ThreadTransport, inside the agent's worker thread. */
class ThreadAgentLink implements AgentLink {
  readonly agentId: number;
  private readonly params: SharedParams;
  private readonly control: Int32Array;
  private readonly queuedIndex: number;
  private readonly crashIndex: number;

  constructor(
    private readonly data: ThreadAgentData,
    private readonly port: NonNullable<typeof parentPort>,
  ) {
    this.agentId = data.agentId;
    this.params = SharedParams.attach(data.paramsBuffer);
    this.control = new Int32Array(data.controlBuffer);
    this.queuedIndex = CONTROL_QUEUED_BASE + data.agentId;
    this.crashIndex = crashIndex(data.agents, data.agentId);
  }

  get version(): number {
    return this.params.version;
  }

  sharedMemory(): SharedMemory {
    return sharedMemoryOf(this.params, this.data.sharedArrays);
  }

  pull(out: Float32Array): number {
    return this.params.read(out);
  }

  /** @throws Error when the trainer injected a crash into this agent (ThreadTransport.kill). */
  stopping(): boolean {
    if (Atomics.load(this.control, this.crashIndex) !== 0) throw new Error(INJECTED_CRASH);
    return Atomics.load(this.control, CONTROL_STOP) !== 0;
  }

  send(envelope: Envelope): boolean {
    for (let queued = Atomics.load(this.control, this.queuedIndex); queued >= this.data.maxQueued && !this.stopping(); ) {
      Atomics.wait(this.control, this.queuedIndex, queued, WAIT_SLICE_MS);
      queued = Atomics.load(this.control, this.queuedIndex);
    }
    if (this.stopping()) return false;
    Atomics.add(this.control, this.queuedIndex, 1);
    this.port.postMessage({ kind: 'envelope', envelope } satisfies ThreadAgentMessage, transferablesOf(envelope.body));
    return true;
  }
}

/**
 * The body of a ThreadTransport's agent thread: builds the agent from the start-up data the
 * trainer gave it, reports it ready, steps it until the run stops and closes it. A failure is
 * rethrown outside the promise, so that the trainer's 'error' handler sees it (and replaces the
 * agent).
 */
export function runAgentThread(createAgent: (init: unknown, link: AgentLink) => Promise<AgentProcess>): void {
  if (isMainThread || parentPort === null) throw new Error('runAgentThread: not in a worker thread started by ThreadTransport');
  const port = parentPort;
  const data = workerData as ThreadAgentData;
  const run = async () => {
    const agent = await createAgent(data.init, new ThreadAgentLink(data, port));
    try {
      port.postMessage({ kind: 'ready', description: agent.description } satisfies ThreadAgentMessage);
      await stepUntilStopped(agent);
    } finally {
      agent.close();
    }
  };
  run().catch((err: unknown) => {
    setImmediate(() => {
      throw err;
    });
  });
}
