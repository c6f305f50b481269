import { Worker } from 'node:worker_threads';
import { AgentRestarts } from './agent-restarts.js';
import { SharedParams, sharedMemoryOf } from './shared-params.js';
import type { Envelope, SharedMemory, TrainerTransport, TransportHandlers } from './transport.js';
/** How long stopping agents get to finish their step and close their envs before being terminated. */
const STOP_GRACE_MS = 10_000;

/**
 * Control words shared by the trainer and its agent threads (an Int32Array over a
 * SharedArrayBuffer): [STOP, messages agent 0 has queued, agent 1, ..., agent 0 must crash,
 * agent 1, ...].
 */
export const CONTROL_STOP = 0;
export const CONTROL_QUEUED_BASE = 1;

/** Index of the control word that tells agent `agentId` of `agents` to crash (fault injection). */
export function crashIndex(agents: number, agentId: number): number {
  return CONTROL_QUEUED_BASE + agents + agentId;
}

/** What an agent thread receives as `workerData` (read by thread-agent.ts). */
export interface ThreadAgentData {
  agentId: number;
  /** The caller's start-up data for this agent. */
  init: unknown;
  paramsBuffer: SharedArrayBuffer;
  controlBuffer: SharedArrayBuffer;
  maxQueued: number;
  agents: number;
  /** The arrays of `shareArray`, by name. */
  sharedArrays: Record<string, SharedArrayBuffer>;
}

/** Messages an agent thread posts to the trainer. */
export type ThreadAgentMessage = { kind: 'ready'; description: string } | { kind: 'envelope'; envelope: Envelope };

export interface ThreadTransportOptions {
  /** The module every agent thread runs; it calls `runAgentThread` (thread-agent.ts). */
  agentModule: URL;
  agents: number;
  /** Start-up data of agent `agentId` for its `restart`-th start (0 the first): structured-cloneable. */
  agentInit(agentId: number, restart: number): unknown;
  /** Length of the parameter vector. */
  numParams: number;
  /** Messages an agent may have waiting, unread by the trainer, before its `send` waits. */
  maxQueuedPerAgent: number;
}

/**
 * Agents on `worker_threads` of this process: parameters go out through a SharedArrayBuffer
 * behind a sequence lock (shared-params.ts), messages come back by `postMessage` with their typed
 * arrays transferred, and each agent's queue is bounded by a shared counter. An agent that crashes
 * after it was ready is replaced (up to MAX_RESTARTS_PER_AGENT times, agent-restarts.ts); one that
 * cannot start fails the run.
 */
export class ThreadTransport implements TrainerTransport {
  readonly agents: number;
  private readonly params: SharedParams;
  private readonly controlBuffer: SharedArrayBuffer;
  private readonly control: Int32Array;
  private readonly workers: (Worker | null)[];
  private readonly restarts: AgentRestarts;
  private readonly descriptions: (string | null)[];
  private readonly sharedArrays: Record<string, SharedArrayBuffer> = {};
  private handlers: TransportHandlers | null = null;
  private allReady: (() => void) | null = null;
  private stopping = false;

  constructor(private readonly options: ThreadTransportOptions) {
    this.agents = options.agents;
    this.params = SharedParams.create(options.numParams);
    this.controlBuffer = new SharedArrayBuffer((CONTROL_QUEUED_BASE + 2 * options.agents) * Int32Array.BYTES_PER_ELEMENT);
    this.control = new Int32Array(this.controlBuffer);
    this.workers = Array.from({ length: options.agents }, () => null);
    this.restarts = new AgentRestarts(options.agents);
    this.descriptions = Array.from({ length: options.agents }, () => null);
  }

  get version(): number {
    return this.params.version;
  }

  publish(params: Float32Array): number {
    return this.params.publish(params);
  }

  shareArray(name: string, length: number): Float32Array {
    if (this.handlers !== null) throw new Error(`ThreadTransport.shareArray("${name}"): arrays are shared before start()`);
    this.sharedArrays[name] = new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT);
    return new Float32Array(this.sharedArrays[name]);
  }

  sharedMemory(): SharedMemory {
    return sharedMemoryOf(this.params, this.sharedArrays);
  }

  start(handlers: TransportHandlers): Promise<string[]> {
    this.handlers = handlers;
    const ready = new Promise<void>((resolve) => (this.allReady = resolve));
    for (let id = 0; id < this.agents; id++) this.spawn(id);
    return ready.then(() => this.descriptions as string[]);
  }

  private spawn(agentId: number): void {
    Atomics.store(this.control, CONTROL_QUEUED_BASE + agentId, 0);
    Atomics.store(this.control, crashIndex(this.agents, agentId), 0);
    const data: ThreadAgentData = {
      agentId,
      init: this.options.agentInit(agentId, this.restarts.count(agentId)),
      paramsBuffer: this.params.buffer,
      controlBuffer: this.controlBuffer,
      maxQueued: this.options.maxQueuedPerAgent,
      agents: this.agents,
      sharedArrays: this.sharedArrays,
    };
    const worker = new Worker(this.options.agentModule, { workerData: data });
    this.workers[agentId] = worker;
    worker.on('message', (message: ThreadAgentMessage) => this.receive(agentId, message));
    worker.on('error', (err) => this.crashed(agentId, worker, err));
    worker.on('exit', (code) => {
      if (code !== 0) this.crashed(agentId, worker, new Error(`exited with code ${code}`));
    });
  }

  private receive(agentId: number, message: ThreadAgentMessage): void {
    if (this.stopping) return;
    if (message.kind === 'ready') {
      const first = this.descriptions[agentId] === null;
      this.descriptions[agentId] = message.description;
      if (first && this.descriptions.every((d) => d !== null)) this.allReady?.();
      return;
    }
    const index = CONTROL_QUEUED_BASE + agentId;
    Atomics.sub(this.control, index, 1);
    Atomics.notify(this.control, index);
    try {
      this.handlers?.onMessage(message.envelope);
    } catch (err) {
      this.handlers?.onFailure(err as Error);
    }
  }

  private crashed(agentId: number, worker: Worker, err: Error): void {
    if (this.stopping || this.workers[agentId] !== worker) return;
    this.workers[agentId] = null;
    void worker.terminate();
    this.restarts.recover(agentId, err, this.descriptions[agentId] !== null, this.handlers, () => this.spawn(agentId));
  }

  /**
   * The agent throws at its next step, as an agent whose code failed, and is then replaced. It is
   * not terminated from outside: a thread terminated inside a native (oneDNN) call aborts the
   * whole process.
   */
  async kill(agentId: number): Promise<boolean> {
    const worker = this.workers[agentId];
    if (!worker || this.stopping) return false;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    Atomics.store(this.control, crashIndex(this.agents, agentId), 1);
    Atomics.notify(this.control, CONTROL_QUEUED_BASE + agentId);
    await exited;
    return true;
  }

  /**
   * Agents leave their loop by themselves so that they close their envs (an env server process
   * would outlive a terminated thread); those that overrun the grace time are terminated.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    Atomics.store(this.control, CONTROL_STOP, 1);
    for (let i = 0; i < this.agents; i++) Atomics.notify(this.control, CONTROL_QUEUED_BASE + i);
    await Promise.all(
      this.workers.map(async (worker) => {
        if (!worker) return;
        const exited = new Promise<boolean>((resolve) => worker.once('exit', () => resolve(true)));
        let timer: NodeJS.Timeout | undefined;
        const overran = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS)));
        if (!(await Promise.race([exited, overran]))) await worker.terminate();
        clearTimeout(timer);
      }),
    );
  }
}
