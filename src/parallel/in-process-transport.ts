import { stepUntilStopped, type AgentLink, type AgentProcess, type Envelope, type SharedMemory, type TrainerTransport, type TransportHandlers } from './transport.js';

/** The agent gives the event loop (timers, Ctrl-C, progress) a turn this often. */
const YIELD_EVERY_MS = 200;

/**
 * One agent in the trainer's own thread (synchronous A2C): its messages reach the trainer as it
 * sends them, and parameters are shared by reference, so each of its rollouts is collected with
 * the newest ones.
 */
export class InProcessTransport implements TrainerTransport {
  readonly agents = 1;
  private params: Float32Array | null = null;
  private published = 0;
  private stopRequested = false;
  private running: Promise<void> = Promise.resolve();
  private readonly arrays = new Map<string, Float32Array>();

  constructor(private readonly createAgent: (link: AgentLink) => AgentProcess) {}

  get version(): number {
    return this.published;
  }

  publish(params: Float32Array): number {
    this.params = params;
    return ++this.published;
  }

  shareArray(name: string, length: number): Float32Array {
    const array = new Float32Array(length);
    this.arrays.set(name, array);
    return array;
  }

  /** The published array itself (shared by reference; valid after the first publish) and the arrays of `shareArray`. */
  sharedMemory(): SharedMemory {
    const transport = this;
    const { arrays } = this;
    return {
      get params() {
        if (transport.params === null) throw new Error('InProcessTransport: shared parameters read before the first publish');
        return transport.params;
      },
      array(name) {
        const array = arrays.get(name);
        if (array === undefined) throw new Error(`no shared array "${name}"; shared: ${[...arrays.keys()].join(', ') || 'none'}`);
        return array;
      },
      bumpVersion: () => ++this.published,
    };
  }

  async start(handlers: TransportHandlers): Promise<string[]> {
    const transport = this;
    const link: AgentLink = {
      agentId: 0,
      get version() {
        return transport.published;
      },
      pull(out) {
        if (transport.params === null) throw new Error('InProcessTransport: pull before the first publish');
        out.set(transport.params);
        return transport.published;
      },
      send(envelope: Envelope) {
        if (transport.stopRequested) return false;
        handlers.onMessage(envelope);
        return true;
      },
      stopping: () => transport.stopRequested,
      sharedMemory: () => transport.sharedMemory(),
    };
    const agent = this.createAgent(link);
    this.running = this.drive(agent).catch((err: unknown) => handlers.onFailure(err as Error));
    return [agent.description];
  }

  private async drive(agent: AgentProcess): Promise<void> {
    try {
      await stepUntilStopped(agent, YIELD_EVERY_MS);
    } finally {
      agent.close();
    }
  }

  /** An agent in the trainer's thread cannot crash alone. */
  async kill(): Promise<boolean> {
    return false;
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.running;
  }
}
