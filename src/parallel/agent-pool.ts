import { Worker } from 'node:worker_threads';
import { CONTROL_QUEUED_BASE, CONTROL_STOP, createControlBuffer, type AgentInit, type AgentMessage } from './messages.js';

/** Replacements of crashed agents allowed per agent before the run gives up. */
const MAX_RESTARTS_PER_AGENT = 5;
/** How long stopping agents get to finish their step and close their envs before being terminated. */
const STOP_GRACE_MS = 10_000;

type SharedInit = Omit<AgentInit, 'agentId' | 'seed' | 'controlBuffer'>;

/**
 * The agent threads of one run. Receives their messages (releasing each agent's queue slot),
 * replaces an agent that crashes after it started, and fails the run when one cannot start.
 */
export class AgentPool {
  private readonly control: Int32Array;
  private readonly controlBuffer: SharedArrayBuffer;
  private readonly workers: (Worker | null)[];
  private readonly restarts: number[];
  private readonly readyIds = new Set<number>();
  private stopping = false;
  private failure: ((err: Error) => void) | null = null;
  private allReady: (() => void) | null = null;
  backend = '';

  constructor(
    private readonly init: SharedInit,
    private readonly seeds: number[],
    private readonly onMessage: (message: Exclude<AgentMessage, { type: 'ready' }>) => void,
    private readonly log: (line: string) => void,
  ) {
    this.controlBuffer = createControlBuffer(seeds.length);
    this.control = new Int32Array(this.controlBuffer);
    this.workers = seeds.map(() => null);
    this.restarts = seeds.map(() => 0);
  }

  /** Starts every agent; resolves once all of them are ready, rejects if one fails to start. */
  start(onFailure: (err: Error) => void): Promise<void> {
    this.failure = onFailure;
    const ready = new Promise<void>((resolve) => (this.allReady = resolve));
    this.seeds.forEach((_, id) => this.spawn(id));
    return ready;
  }

  private spawn(agentId: number): void {
    Atomics.store(this.control, CONTROL_QUEUED_BASE + agentId, 0);
    const init: AgentInit = { ...this.init, agentId, seed: this.seeds[agentId] + this.restarts[agentId], controlBuffer: this.controlBuffer };
    const worker = new Worker(new URL('./agent-worker.js', import.meta.url), { workerData: init });
    this.workers[agentId] = worker;
    worker.on('message', (message: AgentMessage) => this.receive(message));
    worker.on('error', (err) => this.crashed(agentId, worker, err));
    worker.on('exit', (code) => {
      if (code !== 0) this.crashed(agentId, worker, new Error(`exited with code ${code}`));
    });
  }

  private receive(message: AgentMessage): void {
    if (this.stopping) return;
    if (message.type === 'ready') {
      this.backend = message.backend;
      this.readyIds.add(message.agentId);
      if (this.readyIds.size === this.seeds.length) this.allReady?.();
      return;
    }
    const index = CONTROL_QUEUED_BASE + message.agentId;
    Atomics.sub(this.control, index, 1);
    Atomics.notify(this.control, index);
    try {
      this.onMessage(message);
    } catch (err) {
      this.failure?.(err as Error);
    }
  }

  private crashed(agentId: number, worker: Worker, err: Error): void {
    if (this.stopping || this.workers[agentId] !== worker) return;
    this.workers[agentId] = null;
    void worker.terminate();
    if (!this.readyIds.has(agentId)) {
      this.failure?.(new Error(`agent ${agentId} failed to start: ${err.message}`));
      return;
    }
    if (++this.restarts[agentId] > MAX_RESTARTS_PER_AGENT) {
      this.failure?.(new Error(`agent ${agentId} crashed ${MAX_RESTARTS_PER_AGENT + 1} times; last: ${err.message}`));
      return;
    }
    this.log(`agent ${agentId} crashed (${err.message}); starting a replacement`);
    this.spawn(agentId);
  }

  /** Number of agents replaced after a crash. */
  get replacedAgents(): number {
    return this.restarts.reduce((a, b) => a + b, 0);
  }

  /** Fault injection: ends one agent thread abruptly (it is then replaced like a crashed one). */
  async kill(agentId: number): Promise<void> {
    const worker = this.workers[agentId];
    if (worker) await worker.terminate();
  }

  /**
   * Asks every agent to stop and waits for it to leave its loop, so that it closes its envs (an env
   * server process would outlive a terminated thread); terminates those that overrun the grace time.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    Atomics.store(this.control, CONTROL_STOP, 1);
    for (let i = 0; i < this.seeds.length; i++) Atomics.notify(this.control, CONTROL_QUEUED_BASE + i);
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
