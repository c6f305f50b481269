import { SharedParams, sharedMemoryOf } from './shared-params.js';
import { INJECTED_CRASH, stepUntilStopped, transferablesOf, type AgentLink, type AgentProcess, type Envelope, type SharedMemory } from './transport.js';
import type { AgentWorkerMessage, PostedParams, WorkerCommand } from './web-worker-transport.js';

/** The members of a worker's own scope (`self` in a Web Worker, or an adapter) an agent uses. */
export interface AgentPort {
  postMessage(message: AgentWorkerMessage, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

type InitCommand = Extract<WorkerCommand, { kind: 'init' }>;

/**
 * The agent side of a WebWorkerTransport. Commands from the trainer arrive while the agent waits
 * in `send` (a full queue), so the agent sees a stop, a crash order or new posted parameters at
 * its next send at the latest.
 */
class WorkerAgentLink implements AgentLink {
  readonly agentId: number;
  private readonly shared: SharedParams | null;
  private posted: PostedParams | null;
  private readonly maxQueued: number;
  private queued = 0;
  private stopRequested = false;
  private crashRequested = false;
  private roomInQueue: (() => void) | null = null;
  readonly sharedMemory?: () => SharedMemory;

  constructor(
    init: InitCommand,
    private readonly port: AgentPort,
  ) {
    this.agentId = init.agentId;
    this.shared = init.paramsBuffer === null ? null : SharedParams.attach(init.paramsBuffer);
    this.posted = init.params;
    this.maxQueued = init.maxQueued;
    if (this.shared !== null) {
      const shared = this.shared;
      this.sharedMemory = () => sharedMemoryOf(shared, init.sharedArrays);
    }
  }

  /** Applies a command of the trainer's other than 'init'. */
  command(command: WorkerCommand): void {
    if (command.kind === 'params') this.posted = { values: command.values, version: command.version };
    else if (command.kind === 'taken') this.queued--;
    else if (command.kind === 'stop') this.stopRequested = true;
    else if (command.kind === 'crash') this.crashRequested = true;
    this.roomInQueue?.();
  }

  get version(): number {
    return this.shared?.version ?? this.posted?.version ?? 0;
  }

  pull(out: Float32Array): number {
    if (this.shared !== null) return this.shared.read(out);
    if (this.posted === null) throw new Error('WebWorkerTransport agent: pull before the first publish');
    out.set(this.posted.values);
    return this.posted.version;
  }

  /** @throws Error when the trainer injected a crash into this agent (WebWorkerTransport.kill). */
  stopping(): boolean {
    if (this.crashRequested) throw new Error(INJECTED_CRASH);
    return this.stopRequested;
  }

  send(envelope: Envelope): boolean | Promise<boolean> {
    if (this.stopping()) return false;
    if (this.queued < this.maxQueued) return this.post(envelope);
    return this.sendWhenRoom(envelope);
  }

  private async sendWhenRoom(envelope: Envelope): Promise<boolean> {
    while (this.queued >= this.maxQueued && !this.stopping()) {
      await new Promise<void>((resolve) => (this.roomInQueue = resolve));
      this.roomInQueue = null;
    }
    return !this.stopping() && this.post(envelope);
  }

  private post(envelope: Envelope): true {
    this.queued++;
    this.port.postMessage({ kind: 'envelope', envelope }, transferablesOf(envelope.body));
    return true;
  }
}

/**
 * The body of a WebWorkerTransport's agent worker: waits for its start-up data, builds the agent
 * with `createAgent`, reports it ready, steps it until the run stops, closes it and says so. A
 * failure anywhere is posted to the trainer (which replaces the agent or fails the run).
 */
export function runWorkerAgent(port: AgentPort, createAgent: (init: unknown, link: AgentLink) => Promise<AgentProcess>): void {
  let link: WorkerAgentLink | null = null;
  const run = async (init: InitCommand) => {
    const started = new WorkerAgentLink(init, port);
    link = started;
    const agent = await createAgent(init.init, started);
    try {
      port.postMessage({ kind: 'ready', description: agent.description }, []);
      await stepUntilStopped(agent);
    } finally {
      agent.close();
    }
    port.postMessage({ kind: 'closed' }, []);
  };
  port.addEventListener('message', (event) => {
    const command = event.data as WorkerCommand;
    if (command.kind !== 'init') {
      link?.command(command);
      return;
    }
    run(command).catch((err: unknown) => port.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }, []));
  });
}
