/**
 * How agents and the trainer talk, whatever carries it: threads and a SharedArrayBuffer on one
 * machine (thread-transport.ts), the trainer's own thread for synchronous A2C
 * (in-process-transport.ts), Redis across hosts (redis-trainer.ts, redis-agent.ts). A transport
 * moves opaque bodies and versioned parameter vectors; it knows nothing of what the bodies mean
 * (docs/architecture.md).
 */

/** Where a message came from and what it was computed with (docs/architecture.md, "Messages"). */
export interface Provenance {
  agentId: number;
  /** Version of the parameters the agent acted (and computed gradients) with. */
  paramsVersion: number;
  /** Env steps the agent took since its previous message. */
  envSteps: number;
}

/**
 * One message from an agent. `body` is the algorithm's: any structured-cloneable value (plain
 * objects, arrays, numbers, strings and typed arrays); typed arrays are moved, not copied, where
 * the transport can.
 */
export interface Envelope extends Provenance {
  body: unknown;
  /**
   * The body's Float32Arrays bear rounding (a gradient, not observations): a transport over the
   * network may carry them at lower precision (Redis `--wire-dtype float16`); they arrive as
   * Float32Arrays all the same.
   */
  lossy?: boolean;
}

/** What the trainer hands a transport when it starts the agents. */
export interface TransportHandlers {
  /** Each agent message, in arrival order. A throw fails the run. */
  onMessage(envelope: Envelope): void;
  /** The run cannot go on (an agent failed to start, or crashed too often). */
  onFailure(err: Error): void;
  /** Lines for the user (an agent crashed and was replaced). */
  onLog(line: string): void;
  /**
   * A message the transport did not deliver: 'rejected' when it was malformed or foreign (a
   * network transport checks each envelope), 'stale' when it was computed with parameters the
   * trainer never published (a previous trainer's). `detail` says which message and why;
   * `agentId` is the agent it names, or null where it names none that could be read.
   */
  onDropped(kind: 'stale' | 'rejected', detail: string, agentId: number | null): void;
}

/**
 * Memory every agent and the trainer read and write in place, without locks (Hogwild, Recht et al.
 * 2011; the A3C paper's lock-free updates): only transports within one machine have it.
 */
export interface SharedMemory {
  /** The published parameters, live: agents write their updates into them directly. */
  readonly params: Float32Array;
  /** An array the trainer made with `shareArray` before the agents started. @throws Error for an unknown name. */
  array(name: string): Float32Array;
  /** Counts one update written into `params` by an agent; returns the new version. */
  bumpVersion(): number;
}

/** The trainer's side of a transport. */
export interface TrainerTransport {
  /** Agents running now: those started (threads), or those whose heartbeat was seen last (a network transport). */
  readonly agents: number;
  /**
   * Starts every agent; resolves once all of them are ready, with the description each gave
   * (its tfjs backend), or rejects when one cannot start.
   */
  start(handlers: TransportHandlers): Promise<string[]>;
  /** Makes `params` the agents' current parameters; returns their version (1, 2, ...). */
  publish(params: Float32Array): number;
  /** Version of the parameters last published (0 before the first). */
  readonly version: number;
  /** Fault injection: ends agent `agentId` abruptly, as a crash would. False when it was not running. */
  kill(agentId: number): Promise<boolean>;
  /**
   * Transports that can hold their agents: messages stop being delivered (and taken), so each
   * agent waits in `send` once its queue is full, until `resume`.
   */
  pause?(): void;
  /** Delivers the messages held since `pause`, in order, and lets the agents go on. */
  resume?(): void;
  /** Asks every agent to stop, waits for them to leave their loop (closing their envs), then returns. */
  stop(): Promise<void>;
  /** Transports with shared memory: makes a zeroed array every agent sees, before `start`. */
  shareArray?(name: string, length: number): Float32Array;
  /** Transports with shared memory: the trainer's view of it (valid after the first `publish`). */
  sharedMemory?(): SharedMemory;
}

/** An agent's side of a transport. */
export interface AgentLink {
  readonly agentId: number;
  /** Version of the newest published parameters. */
  readonly version: number;
  /** Copies the newest parameters into `out`; returns their version. */
  pull(out: Float32Array): number;
  /**
   * Sends one message, first waiting while the trainer has not taken this agent's earlier ones
   * (a bounded queue, as the reference's). Returns false, sending nothing, when the run is
   * stopping. A transport over the network may answer with a promise.
   */
  send(envelope: Envelope): boolean | Promise<boolean>;
  /** True once the trainer asked agents to stop. */
  stopping(): boolean;
  /** Transports with shared memory: the agent's view of it. */
  sharedMemory?(): SharedMemory;
}

/**
 * One agent as a transport drives it: built (then the trainer hears it is ready), stepped until a
 * step returns false, then closed.
 */
export interface AgentProcess {
  /** What the agent runs on (its tfjs backend), for the user. */
  readonly description: string;
  /** Does one round of the agent's work; false once the run is stopping (a promise of it where `send` gives one). */
  step(): boolean | Promise<boolean>;
  /** Releases the agent's envs and tensors. */
  close(): void;
}

/** The error an agent told to crash throws (TrainerTransport.kill). */
export const INJECTED_CRASH = 'crash injected by kill()';

/**
 * The buffers of the typed arrays in `value` (searched through plain objects and arrays) that can
 * be moved instead of copied: each array must span its whole, non-shared buffer.
 */
export function transferablesOf(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const { buffer } = value;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) found.add(buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferablesOf(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) transferablesOf(item, found);
  }
  return [...found];
}

/** Steps `agent` until a step answers false, awaiting the steps that answer with a promise. */
export async function stepUntilStopped(agent: AgentProcess, yieldEveryMs = Infinity): Promise<void> {
  let until = performance.now() + yieldEveryMs;
  for (;;) {
    let more = agent.step();
    if (typeof more !== 'boolean') more = await more;
    if (!more) return;
    if (performance.now() >= until) {
      // A timer, not setImmediate: this also runs in browsers.
      await new Promise((resolve) => setTimeout(resolve, 0));
      until = performance.now() + yieldEveryMs;
    }
  }
}
