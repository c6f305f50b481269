/**
 * Agents in Web Workers (the browser page, web/train/), written against the few members of a
 * Worker it uses, so that the same transport runs in Node over worker_threads behind an adapter
 * (its tests). Control travels by message: agents wait in `send` for the trainer to take their
 * earlier messages, which is when they also see a stop. Parameters travel through a
 * SharedArrayBuffer behind the sequence lock of shared-params.ts where the host can share memory
 * (a cross-origin isolated page), and are posted to every agent on each publish where it cannot.
 */
import { AgentRestarts } from './agent-restarts.js';
import { SharedParams, sharedMemoryOf } from './shared-params.js';
import type { Envelope, SharedMemory, TrainerTransport, TransportHandlers } from './transport.js';

/** How long stopping agents get to finish their step and close their envs before being terminated. */
const STOP_GRACE_MS = 10_000;

/** The members of a Web Worker (or of an adapter over another kind of thread) the trainer uses. */
export interface AgentWorker {
  postMessage(message: WorkerCommand, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** A worker whose module cannot load or throws outside the agent's loop. */
  addEventListener(type: 'error', listener: (event: { message: string }) => void): void;
  terminate(): void;
}

/** Where agent workers come from. */
export interface AgentWorkerHost {
  /** Starts a worker for agent `agentId` (each start, replacements included) running a module that calls `runWorkerAgent` (web-worker-agent.ts). */
  spawn(agentId: number): AgentWorker;
  /**
   * Whether SharedArrayBuffer can cross to the workers (a page served cross-origin isolated):
   * parameters are then shared, and hogwild's shared arrays exist; else each publish is posted.
   */
  readonly sharedMemory: boolean;
}

/** Parameters posted to an agent that shares no memory. */
export interface PostedParams {
  values: Float32Array;
  version: number;
}

/** What the trainer posts to an agent worker. */
export type WorkerCommand =
  | {
      kind: 'init';
      agentId: number;
      /** The caller's start-up data for this agent (structured-cloneable). */
      init: unknown;
      maxQueued: number;
      /** The shared parameters (SharedParams' buffer), or null where memory is not shared. */
      paramsBuffer: SharedArrayBuffer | null;
      /** Without shared memory: the newest parameters, or null before the first publish. */
      params: PostedParams | null;
      sharedArrays: Record<string, SharedArrayBuffer>;
    }
  | ({ kind: 'params' } & PostedParams)
  /** The trainer took one of the agent's messages: room in its queue. */
  | { kind: 'taken' }
  | { kind: 'stop' }
  /** Fault injection (kill): the agent throws at its next check. */
  | { kind: 'crash' };

/** What an agent worker posts to the trainer. */
export type AgentWorkerMessage =
  | { kind: 'ready'; description: string }
  | { kind: 'envelope'; envelope: Envelope }
  /** The agent failed, before or after it was ready; its worker is done. */
  | { kind: 'failed'; message: string }
  /** The agent left its loop and closed its envs. */
  | { kind: 'closed' };

export interface WebWorkerTransportOptions {
  host: AgentWorkerHost;
  agents: number;
  /** Start-up data of agent `agentId` for its `restart`-th start (0 the first): structured-cloneable. */
  agentInit(agentId: number, restart: number): unknown;
  /** Length of the parameter vector. */
  numParams: number;
  /** Messages an agent may have waiting, untaken by the trainer, before its `send` waits. */
  maxQueuedPerAgent: number;
}

/** One running agent worker and what the trainer waits for from it. */
interface Running {
  worker: AgentWorker;
  /** Resolves when the agent has closed, failed, or its worker errored. */
  gone: Promise<void>;
  leave(): void;
}

/**
 * A transport over Web Workers (see the file comment). An agent that fails after it was ready is
 * replaced, as on threads (agent-restarts.ts); one that cannot start fails the run. `pause` holds
 * the agents by holding their messages.
 */
export class WebWorkerTransport implements TrainerTransport {
  readonly agents: number;
  private readonly shared: SharedParams | null;
  private posted: PostedParams | null = null;
  private readonly sharedArrays: Record<string, SharedArrayBuffer> = {};
  private readonly running: (Running | null)[];
  private readonly descriptions: (string | null)[];
  private readonly restarts: AgentRestarts;
  private readonly held: { agentId: number; envelope: Envelope }[] = [];
  private handlers: TransportHandlers | null = null;
  private allReady: (() => void) | null = null;
  private paused = false;
  private stopping = false;

  constructor(private readonly options: WebWorkerTransportOptions) {
    this.agents = options.agents;
    this.shared = options.host.sharedMemory ? SharedParams.create(options.numParams) : null;
    this.running = Array.from({ length: options.agents }, () => null);
    this.descriptions = Array.from({ length: options.agents }, () => null);
    this.restarts = new AgentRestarts(options.agents);
  }

  get version(): number {
    return this.shared?.version ?? this.posted?.version ?? 0;
  }

  publish(params: Float32Array): number {
    if (this.shared !== null) return this.shared.publish(params);
    if (params.length !== this.options.numParams) {
      throw new Error(`WebWorkerTransport.publish: got ${params.length} parameters, the agents take ${this.options.numParams}`);
    }
    this.posted = { values: params.slice(), version: this.version + 1 };
    for (const agent of this.running) {
      if (agent === null) continue;
      const values = this.posted.values.slice();
      agent.worker.postMessage({ kind: 'params', values, version: this.posted.version }, [values.buffer]);
    }
    return this.posted.version;
  }

  /** @throws Error where the host shares no memory, or after `start`. */
  shareArray(name: string, length: number): Float32Array {
    if (this.shared === null) throw new Error(`WebWorkerTransport.shareArray("${name}"): the workers share no memory (SharedArrayBuffer needs a cross-origin isolated page)`);
    if (this.handlers !== null) throw new Error(`WebWorkerTransport.shareArray("${name}"): arrays are shared before start()`);
    this.sharedArrays[name] = new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT);
    return new Float32Array(this.sharedArrays[name]);
  }

  /** @throws Error where the host shares no memory. */
  sharedMemory(): SharedMemory {
    if (this.shared === null) throw new Error('WebWorkerTransport.sharedMemory(): the workers share no memory (SharedArrayBuffer needs a cross-origin isolated page)');
    return sharedMemoryOf(this.shared, this.sharedArrays);
  }

  start(handlers: TransportHandlers): Promise<string[]> {
    this.handlers = handlers;
    const ready = new Promise<void>((resolve) => (this.allReady = resolve));
    for (let id = 0; id < this.agents; id++) this.spawn(id);
    return ready.then(() => this.descriptions as string[]);
  }

  private spawn(agentId: number): void {
    const worker = this.options.host.spawn(agentId);
    let leave = () => {};
    const gone = new Promise<void>((resolve) => (leave = resolve));
    const agent: Running = { worker, gone, leave };
    this.running[agentId] = agent;
    worker.addEventListener('message', (event) => this.receive(agentId, agent, event.data as AgentWorkerMessage));
    worker.addEventListener('error', (event) => this.crashed(agentId, agent, new Error(event.message)));
    const params = this.posted === null ? null : { values: this.posted.values.slice(), version: this.posted.version };
    worker.postMessage(
      {
        kind: 'init',
        agentId,
        init: this.options.agentInit(agentId, this.restarts.count(agentId)),
        maxQueued: this.options.maxQueuedPerAgent,
        paramsBuffer: this.shared?.buffer ?? null,
        params,
        sharedArrays: this.sharedArrays,
      },
      params === null ? [] : [params.values.buffer],
    );
  }

  private receive(agentId: number, agent: Running, message: AgentWorkerMessage): void {
    if (message.kind === 'closed') {
      agent.leave();
      return;
    }
    if (message.kind === 'failed') {
      this.crashed(agentId, agent, new Error(message.message));
      return;
    }
    if (this.stopping || this.running[agentId] !== agent) return;
    if (message.kind === 'ready') {
      const first = this.descriptions[agentId] === null;
      this.descriptions[agentId] = message.description;
      if (first && this.descriptions.every((d) => d !== null)) this.allReady?.();
      return;
    }
    if (this.paused) this.held.push({ agentId, envelope: message.envelope });
    else this.deliver(agentId, message.envelope);
  }

  private deliver(agentId: number, envelope: Envelope): void {
    this.running[agentId]?.worker.postMessage({ kind: 'taken' }, []);
    try {
      this.handlers?.onMessage(envelope);
    } catch (err) {
      this.handlers?.onFailure(err as Error);
    }
  }

  private crashed(agentId: number, agent: Running, err: Error): void {
    agent.leave();
    agent.worker.terminate();
    if (this.stopping || this.running[agentId] !== agent) return;
    this.running[agentId] = null;
    // Messages it left held are dropped with it, as a crashed thread's unread ones are.
    for (let i = this.held.length - 1; i >= 0; i--) if (this.held[i].agentId === agentId) this.held.splice(i, 1);
    this.restarts.recover(agentId, err, this.descriptions[agentId] !== null, this.handlers, () => this.spawn(agentId));
  }

  /** The agent throws at its next check, as an agent whose code failed, and is then replaced. */
  async kill(agentId: number): Promise<boolean> {
    const agent = this.running[agentId];
    if (!agent || this.stopping) return false;
    agent.worker.postMessage({ kind: 'crash' }, []);
    await agent.gone;
    return true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const { agentId, envelope } of this.held.splice(0)) {
      if (this.stopping) return;
      this.deliver(agentId, envelope);
    }
  }

  /** Asks every agent to stop and waits for each to close its envs; those that overrun the grace time are terminated. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.held.length = 0;
    await Promise.all(
      this.running.map(async (agent) => {
        if (agent === null) return;
        agent.worker.postMessage({ kind: 'stop' }, []);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([agent.gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
        clearTimeout(timer);
        agent.worker.terminate();
      }),
    );
  }
}
