import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { LEAVE_REQUEST, type RedisAgentMessage, type RedisAgentThreadData, type RedisPoolMessage } from './redis-agent.js';
import { HostParams } from './redis-host-params.js';
import { connectRedis } from './redis-protocol.js';
import type { RedisTarget } from './redis-url.js';
import { RunSigner } from './run-secret.js';

/** Replacements of crashed agent threads allowed per thread before the pool gives up. */
const MAX_RESTARTS_PER_THREAD = 5;
/** How long agents asked to leave get to finish their step and close their envs before being terminated. */
const LEAVE_GRACE_MS = 10_000;

export interface RedisAgentPoolOptions {
  target: RedisTarget;
  run: string;
  /** Agent threads to run. */
  agents: number;
  /** The module each agent thread runs; it calls `runRedisAgentThread` (redis-agent.ts). */
  agentModule: URL;
  /** What this host gives its agents itself (RedisAgentThreadData.agentOptions). */
  agentOptions: unknown;
  /** The run secret (run-secret.ts), or null for none. */
  secret: string | null;
  /** Lines for the user: joins, crashes, waits for the trainer, reconnections. */
  onLog(line: string): void;
}

interface Slot {
  worker: Worker;
  agentId: number | null;
  /** The agent is built. */
  ready: boolean;
  /** The thread is gone. */
  ended: boolean;
}

/**
 * Agent threads on this host that join a run through Redis: `a3c agent` runs one, and so does a
 * trainer with local agents. Each thread is one agent with its own connections (redis-agent.ts);
 * the parameters are fetched once per version for all of them, by this thread (HostParams), and
 * read from shared memory. A thread that crashes after its agent was built is replaced (a new
 * agent, with a new id), up to MAX_RESTARTS_PER_THREAD times.
 */
export class RedisAgentPool {
  /** Settles when every thread has left: true when the run ended, false when they were asked to leave. */
  readonly done: Promise<boolean>;
  private readonly slots: Slot[] = [];
  /** What each thread's agent runs on, as it said when built. */
  private readonly descriptions: string[] = [];
  private readonly restarts: number[];
  private runEnded = false;
  private leaving = false;
  private failure: Error | null = null;
  private settle: (error: Error | null) => void = () => {};
  private readyCheck: () => void = () => {};
  /** The connection the parameters are fetched on, and what they are fetched for. */
  private cmd: Redis | null = null;
  private params: HostParams | null = null;

  constructor(private readonly options: RedisAgentPoolOptions) {
    this.restarts = Array.from({ length: options.agents }, () => 0);
    this.done = new Promise<boolean>((resolve, reject) => {
      this.settle = (error) => (error === null ? resolve(this.runEnded) : reject(error));
    });
    this.done.catch(() => {});
  }

  /**
   * Checks that Redis takes the login, then starts the threads; resolves once every agent is built
   * (which needs a trainer) or gone, with the descriptions the built ones gave.
   * @throws RedisTransportError when Redis cannot be reached or refuses the login; Error when an
   *   agent fails before it is built (e.g. its env cannot be made on this host).
   */
  async start(): Promise<string[]> {
    const { target, run, secret, onLog } = this.options;
    const cmd = (this.cmd = await connectRedis(target, 'agent-params'));
    this.params = new HostParams(cmd, run, new RunSigner(secret, run), (store) => this.postAll({ kind: 'params', ...store }), (line) => onLog(`agents on this host: ${line}`));
    const ready = new Promise<string[]>((resolve, reject) => {
      this.readyCheck = () => {
        if (this.failure !== null) reject(this.failure);
        else if (this.slots.every((s) => s.ready || s.ended)) resolve(this.descriptions.filter((d) => d !== undefined));
      };
    });
    for (let i = 0; i < this.options.agents; i++) this.spawn(i);
    return ready;
  }

  private spawn(index: number): void {
    const { target, run, agentOptions, secret } = this.options;
    const data: RedisAgentThreadData = { target, run, agentOptions, secret };
    const slot: Slot = { worker: new Worker(this.options.agentModule, { workerData: data }), agentId: null, ready: false, ended: false };
    this.slots[index] = slot;
    const store = this.params!.current;
    if (store !== null) slot.worker.postMessage({ kind: 'params', ...store } satisfies RedisPoolMessage);
    const name = () => (slot.agentId === null ? `agent thread ${index}` : `agent ${slot.agentId}`);
    slot.worker.on('message', (message: RedisAgentMessage) => {
      if (message.kind === 'want') this.params!.want(message);
      else if (message.kind === 'joined') slot.agentId = message.agentId;
      else if (message.kind === 'log') this.options.onLog(`${name()}: ${message.line}`);
      else if (message.kind === 'left') this.runEnded ||= message.runEnded;
      else if (!slot.ready) {
        slot.ready = true;
        this.descriptions[index] = message.description;
        this.readyCheck();
      }
    });
    slot.worker.on('error', (error) => this.exited(index, slot, error));
    slot.worker.on('exit', (code) => this.exited(index, slot, code === 0 ? null : new Error(`exited with code ${code}`)));
  }

  private exited(index: number, slot: Slot, error: Error | null): void {
    // 'error' is followed by 'exit': the first one ends the slot.
    if (slot.ended) return;
    slot.ended = true;
    const name = slot.agentId === null ? `agent thread ${index}` : `agent ${slot.agentId}`;
    if (error !== null && !this.leaving && !this.runEnded) {
      if (!slot.ready) {
        this.failure ??= new Error(`${name} failed: ${error.message}`);
        this.readyCheck();
      } else if (++this.restarts[index] > MAX_RESTARTS_PER_THREAD) {
        this.failure ??= new Error(`${name} crashed ${MAX_RESTARTS_PER_THREAD + 1} times; last: ${error.message}`);
      } else {
        this.options.onLog(`${name} crashed (${error.message}); starting a replacement`);
        this.spawn(index);
        return;
      }
    }
    this.readyCheck();
    if (this.slots.every((s) => s.ended)) {
      this.cmd?.disconnect();
      this.settle(this.failure);
    }
  }

  private postAll(message: RedisPoolMessage): void {
    for (const slot of this.slots) if (!slot.ended) slot.worker.postMessage(message);
  }

  /** Fault injection: ends agent `agentId`'s thread abruptly, as a crash would. False when it is not one of this pool's. */
  async kill(agentId: number): Promise<boolean> {
    const slot = this.slots.find((s) => s.agentId === agentId && !s.ended);
    if (slot === undefined || this.leaving) return false;
    await slot.worker.terminate();
    return true;
  }

  /**
   * Asks every agent to leave the run (deregister, close its envs), waits for them, and terminates
   * those that overrun LEAVE_GRACE_MS.
   */
  async leave(): Promise<void> {
    this.leaving = true;
    this.postAll(LEAVE_REQUEST);
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<void>((resolve) => (timer = setTimeout(resolve, LEAVE_GRACE_MS)));
    await Promise.race([this.done.catch(() => {}), overran]);
    clearTimeout(timer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.cmd?.disconnect();
  }
}
