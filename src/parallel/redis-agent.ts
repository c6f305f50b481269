import { hostname } from 'node:os';
import { isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import type { ParamsStore, ParamsWant } from './redis-host-params.js';
import {
  connectRedis,
  decodeRunInfo,
  encodeEnvelope,
  MAX_STREAM_ENTRIES,
  FAREWELL_TIMEOUT_MS,
  pack,
  HEARTBEAT_EVERY_MS,
  HEARTBEAT_TTL_MS,
  paramsLayout,
  parseStopNote,
  parseVersionNote,
  runKeys,
  type RunInfo,
  type RunKeys,
  within,
} from './redis-protocol.js';
import type { RedisTarget } from './redis-url.js';
import { RunSigner } from './run-secret.js';
import { SharedParams } from './shared-params.js';
import { stepUntilStopped, type AgentLink, type AgentProcess, type Envelope } from './transport.js';

/**
 * The credit collector's blocking read returns this often (to see that the agent left); an agent
 * waiting for a credit wakes up as often to see a stop, a new trainer or a leave request.
 */
const CREDIT_WAIT_S = 1;

/** Raises the agent-id counter to at least ARGV[1] (after a Redis restart emptied it, ids stay unique). */
const RAISE_COUNTER_LUA = "if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end return 0";

/** An agent's heartbeat value: where it runs. */
function agentDescription(): string {
  return `${hostname()} pid ${process.pid} thread ${threadId}`;
}

/** What a Redis agent thread receives as `workerData` (from RedisAgentPool). */
export interface RedisAgentThreadData {
  target: RedisTarget;
  run: string;
  /**
   * What the agent's host gives it itself, never Redis (`a3c agent`'s command line, or the
   * trainer's own config for its local agents): the code it may import, opaque here and handed to
   * the thread's `createAgent` beside the trainer's `init`, which it is checked against.
   */
  agentOptions: unknown;
  /** The run secret (run-secret.ts), or null for none. */
  secret: string | null;
}

/** Messages an agent thread posts to its pool; `want` asks the host for parameters (redis-host-params.ts). */
export type RedisAgentMessage =
  | { kind: 'joined'; agentId: number }
  | { kind: 'ready'; description: string }
  | { kind: 'log'; line: string }
  | { kind: 'left'; runEnded: boolean }
  | ({ kind: 'want' } & ParamsWant);

/** What the pool posts to an agent thread: leave the run (deregister, close the envs, exit). */
export const LEAVE_REQUEST = 'leave';

/** What else the pool posts to an agent thread: the host's parameter store of a trainer session. */
export type RedisPoolMessage = typeof LEAVE_REQUEST | ({ kind: 'params' } & ParamsStore);

/**
 * One agent's membership of a run, and its AgentLink. It joins (an id from `next-agent`, its
 * heartbeat), follows the trainer (the lock's session, the `init` of that session, version
 * announcements) and asks its host for each newer version announced; the host fetches it once for
 * all its threads and publishes it in shared memory (redis-host-params.ts), where `pull` reads it.
 * `send` adds a message to the `work` stream once the agent has a credit (at most `maxQueued`
 * messages untaken, as the thread transport's bounded queue; credits are collected as they come).
 */
class RedisAgent implements AgentLink {
  private readonly keys: RunKeys;
  /** The run's trainer as the agent last saw it (the agent is built from its `init`), with its settings packed for comparison. */
  private trainer: (RunInfo & { settings: Buffer }) | null = null;
  /** Whether the trainer's lock is present. */
  private trainerAlive = false;
  /** Newest version announced by the current trainer. */
  private announced: { session: string; version: number } | null = null;
  /** The host's store of the newest trainer session it saw. */
  private store: { session: string; params: SharedParams } | null = null;
  /** Session and version of the parameters the agent last pulled: what its messages were computed with. */
  private pulled: { session: string; version: number } | null = null;
  private stoppedSession: string | null = null;
  /** Messages sent whose credit has not come back yet. */
  private inFlight = 0;
  /** Wakes a `send` waiting for a credit. */
  private wake: () => void = () => {};
  private leaving = false;
  private rebuild = false;
  /** The heartbeat's value: where the agent runs. */
  private readonly description = agentDescription();
  private heartbeat: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private loggedWaiting = false;
  private readonly signer: RunSigner;
  /** The last reason an `init` or stop note was refused, so that each is logged once. */
  private lastRefusal: string | null = null;

  private constructor(
    readonly agentId: number,
    private readonly data: RedisAgentThreadData,
    private readonly cmd: Redis,
    private readonly blocking: Redis,
    private readonly sub: Redis,
    private readonly log: (line: string) => void,
    private readonly ask: (want: ParamsWant) => void,
  ) {
    this.keys = runKeys(data.run);
    this.signer = new RunSigner(data.secret, data.run);
  }

  /**
   * Connects (commands, blocking reads, notifications), takes an agent id and starts the heartbeat.
   * @throws RedisTransportError when Redis cannot be reached or refuses the login.
   */
  static async join(data: RedisAgentThreadData, log: (line: string) => void, ask: (want: ParamsWant) => void): Promise<RedisAgent> {
    const keys = runKeys(data.run);
    let agent: RedisAgent | null = null;
    const cmd = await connectRedis(data.target, 'agent', () => agent?.reconnected());
    const blocking = await connectRedis(data.target, 'agent-credits');
    const sub = await connectRedis(data.target, 'agent-events');
    const description = agentDescription();
    let agentId = (await cmd.incr(keys.nextAgent)) - 1;
    // An id whose heartbeat is live is taken, even where an emptied Redis handed it out again.
    while ((await cmd.set(keys.heartbeat(agentId), description, 'PX', HEARTBEAT_TTL_MS, 'NX')) === null) {
      agentId = (await cmd.incr(keys.nextAgent)) - 1;
    }
    agent = new RedisAgent(agentId, data, cmd, blocking, sub, log, ask);
    sub.on('message', (_channel: string, note: string) => agent.notified(note));
    await sub.subscribe(keys.events);
    await agent.beat();
    void agent.collectCredits();
    agent.heartbeat = setInterval(() => void agent.beat().catch((error: Error) => log(`heartbeat failed: ${error.message}`)), HEARTBEAT_EVERY_MS);
    return agent;
  }

  /** Session and version of the parameters of the agent's trainer in the host's store, or null while it has none. */
  private get held(): { session: string; version: number } | null {
    const store = this.store;
    if (store === null || store.session !== this.trainer?.session || store.params.version === 0) return null;
    return { session: store.session, version: store.params.version };
  }

  get version(): number {
    const held = this.held;
    // None yet of the trainer the agent follows now: nothing newer than what it pulled.
    if (held === null) return this.pulled?.version ?? 0;
    // Parameters of a new trainer session never count as the ones in use, whatever their number.
    return this.pulled !== null && held.session !== this.pulled.session ? -1 : held.version;
  }

  pull(out: Float32Array): number {
    if (this.held === null) throw new Error('RedisAgent: pull before the trainer published parameters');
    const version = this.store!.params.read(out);
    this.pulled = { session: this.store!.session, version };
    return version;
  }

  /** The host's store for a trainer session (RedisPoolMessage). */
  adopt(store: ParamsStore): void {
    this.store = { session: store.session, params: SharedParams.attach(store.buffer) };
  }

  stopping(): boolean {
    return this.leaving || this.rebuild || this.runEnded;
  }

  /** True once the trainer whose parameters the agent uses ended the run. */
  get runEnded(): boolean {
    return this.pulled !== null && this.stoppedSession === this.pulled.session;
  }

  async send(envelope: Envelope): Promise<boolean> {
    const session = this.pulled!.session;
    while (this.inFlight >= (this.trainer?.maxQueued ?? 1) && this.trainer?.session === session) {
      if (this.stopping()) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CREDIT_WAIT_S * 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.stopping()) return false;
    // Computed with the parameters of a trainer that has since been replaced: its successor
    // would drop it, so it is not sent.
    if (this.trainer?.session !== session) {
      this.refresh();
      return true;
    }
    this.inFlight++;
    const message = encodeEnvelope(this.signer, this.data.run, session, envelope, this.trainer.wireDtype);
    const { work, ready } = this.keys;
    // One round trip for both, in order on one connection: the message, then the note that wakes the trainer.
    await Promise.all([this.cmd.xadd(work, 'MAXLEN', '~', MAX_STREAM_ENTRIES, '*', 'm', message), this.cmd.rpush(ready, '1'), this.cmd.ltrim(ready, 0, 0)]);
    this.refresh();
    return true;
  }

  /**
   * Takes the credits the trainer hands back, one per message it took, as they come (on the
   * blocking connection), so that a `send` finds them already counted.
   */
  private async collectCredits(): Promise<void> {
    while (!this.leaving) {
      const credit = await this.blocking.blpop(this.keys.credits(this.agentId), CREDIT_WAIT_S).catch(() => null);
      if (credit === null || credit[1] !== this.trainer?.session) continue;
      this.inFlight = Math.max(0, this.inFlight - 1);
      this.wake();
    }
  }

  /** Asks the agent to leave the run: its loop ends at the next step. */
  requestLeave(): void {
    this.leaving = true;
    this.wake();
  }

  /** Whether the agent stopped because the trainer changed its settings: it is to be built again. */
  takeRebuild(): boolean {
    const rebuild = this.rebuild && !this.leaving && !this.runEnded;
    this.rebuild = false;
    return rebuild;
  }

  /**
   * Waits until a live trainer has published its `init` and parameters, then returns that `init`
   * (with the parameters in the host's store for the first `pull`); null when the agent was asked to leave first.
   */
  async waitForTrainer(): Promise<unknown> {
    for (;;) {
      if (this.leaving) return null;
      await this.poll();
      const trainer = this.trainer;
      if (this.trainerAlive && trainer !== null && this.stoppedSession !== trainer.session) {
        this.refresh();
        if (this.held?.session === trainer.session) {
          this.loggedWaiting = false;
          return trainer.init;
        }
      }
      if (!this.loggedWaiting) {
        this.loggedWaiting = true;
        this.log(`waiting for a trainer on run ${this.data.run} at ${this.data.target.display}`);
      }
      await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_EVERY_MS / 4));
    }
  }

  /** Deregisters (heartbeat, membership, credits) and closes the connections. */
  async leave(): Promise<void> {
    this.leaving = true;
    clearInterval(this.heartbeat);
    const farewell = this.cmd.multi().del(this.keys.heartbeat(this.agentId), this.keys.credits(this.agentId)).srem(this.keys.agents, String(this.agentId)).exec();
    await within(farewell.catch(() => {}), FAREWELL_TIMEOUT_MS);
    this.blocking.disconnect();
    this.sub.disconnect();
    this.cmd.disconnect();
  }

  /** Refreshes the heartbeat and membership, then the view of the trainer. */
  private async beat(): Promise<void> {
    await this.cmd
      .multi()
      .set(this.keys.heartbeat(this.agentId), this.description, 'PX', HEARTBEAT_TTL_MS)
      .sadd(this.keys.agents, String(this.agentId))
      .exec();
    await this.poll();
  }

  /** Reads the trainer's lock, newest version and the run's end; one poll at a time. */
  private poll(): Promise<void> {
    this.polling ??= this.readTrainer().finally(() => (this.polling = null));
    return this.polling;
  }

  private async readTrainer(): Promise<void> {
    const [lock, note, stopped] = await this.cmd.mget(this.keys.trainer, this.keys.version, this.keys.stopped);
    this.trainerAlive = lock !== null;
    this.stoppedSession = stopped === null ? null : this.stopSession(stopped);
    const lockSession = lock?.split(' ')[0] ?? null;
    if (lockSession !== null && lockSession !== this.trainer?.session) await this.loadTrainer(lockSession);
    this.announce(parseVersionNote(note));
  }

  /** The session a stop note ("SESSION HMAC") ends, or null (logged once) when its HMAC does not verify. */
  private stopSession(note: string): string | null {
    const parsed = parseStopNote(this.signer, note);
    if (parsed.ok) return parsed.session;
    this.refused(`ignored a note that run ${this.data.run} ended: ${parsed.problem}`);
    return null;
  }

  /** Logs `line` unless it was the last refusal logged. */
  private refused(line: string): void {
    if (line === this.lastRefusal) return;
    this.lastRefusal = line;
    this.log(line);
  }

  /** Takes the `init` of trainer `session`, once that trainer has written it and its HMAC verifies. */
  private async loadTrainer(session: string): Promise<void> {
    const blob = await this.cmd.getBuffer(this.keys.init);
    if (blob === null) return;
    const opened = this.signer.open('init', blob);
    if (!opened.ok) {
      this.refused(`refused the init of run ${this.data.run} in Redis: ${opened.problem}; waiting for a trainer whose init verifies`);
      return;
    }
    const info = decodeRunInfo(opened.payload);
    if (info === null || info.session !== session) return;
    const previous = this.trainer;
    this.trainer = { ...info, settings: pack([info.maxQueued, info.numParams, info.init]) };
    this.announced = null;
    // Its predecessor's credits will never come: the messages they were for are dropped.
    this.inFlight = 0;
    this.wake();
    if (previous === null) return;
    if (previous.settings.equals(this.trainer.settings)) {
      this.log(`the run's trainer restarted (session ${session.slice(0, 8)}); continuing with its parameters`);
    } else {
      this.rebuild = true;
      this.log(`the run's trainer restarted (session ${session.slice(0, 8)}) with other settings; rebuilding the agent`);
    }
  }

  private announce(note: { session: string; version: number } | null): void {
    if (note === null || note.session !== this.trainer?.session) return;
    if (this.announced === null || note.version > this.announced.version) this.announced = note;
    this.refresh();
  }

  /** A note on the `events` channel: a new version, or the run's end. */
  private notified(note: string): void {
    const [kind] = note.split(' ');
    if (kind === 'stop') {
      const ended = this.stopSession(note.slice(kind.length + 1));
      if (ended === null) return;
      this.stoppedSession = ended;
      this.wake();
      return;
    }
    const parsed = parseVersionNote(note.slice(kind.length + 1));
    if (parsed !== null && parsed.session !== this.trainer?.session) void this.poll().catch(() => {});
    this.announce(parsed);
  }

  /** Asks the host for the newest version announced when the store holds an older one (the host fetches each version once). */
  private refresh(): void {
    const wanted = this.announced;
    if (wanted === null || this.trainer === null || wanted.session !== this.trainer.session) return;
    const held = this.held;
    if (held !== null && held.session === wanted.session && held.version >= wanted.version) return;
    this.ask({ session: wanted.session, version: wanted.version, layout: paramsLayout(this.trainer) });
  }

  /**
   * The connection came back (Redis restarted, or the network): credits in flight may be lost,
   * and a restarted Redis without persistence has forgotten the run's keys.
   */
  private reconnected(): void {
    this.inFlight = 0;
    this.wake();
    this.log(`Redis at ${this.data.target.display} is back; rejoining run ${this.data.run}`);
    void this.cmd.eval(RAISE_COUNTER_LUA, 1, this.keys.nextAgent, String(this.agentId + 1)).catch(() => {});
    // At once, not at the next beat: an agent that joins meanwhile must find this id held.
    void this.beat().catch(() => {});
  }
}

/**
 * The body of a Redis agent thread (RedisAgentPool starts them): joins the run, waits for its
 * trainer, builds the agent from the trainer's `init` with `createAgent`, steps it until the run
 * ends or the pool asks it to leave, and builds it again when a restarted trainer brings other
 * settings. A failure is rethrown outside the promise, so that the pool's 'error' handler sees it.
 */
export function runRedisAgentThread(createAgent: (init: unknown, link: AgentLink, agentOptions: unknown) => Promise<AgentProcess>): void {
  if (isMainThread || parentPort === null) throw new Error('runRedisAgentThread: not in a worker thread started by RedisAgentPool');
  const port = parentPort;
  const post = (message: RedisAgentMessage) => port.postMessage(message);
  const data = workerData as RedisAgentThreadData;
  const run = async () => {
    const agent = await RedisAgent.join(data, (line) => post({ kind: 'log', line }), (want) => post({ kind: 'want', ...want }));
    // Messages posted before this listener (the store of a session already running) wait in the port.
    port.on('message', (message: RedisPoolMessage) => {
      if (message === LEAVE_REQUEST) agent.requestLeave();
      else agent.adopt(message);
    });
    port.unref();
    post({ kind: 'joined', agentId: agent.agentId });
    try {
      for (let build = true; build; build = agent.takeRebuild()) {
        const init = await agent.waitForTrainer();
        if (init === null) break;
        const process = await createAgent(init, agent, data.agentOptions);
        post({ kind: 'ready', description: process.description });
        try {
          await stepUntilStopped(process);
        } finally {
          process.close();
        }
      }
    } finally {
      await agent.leave();
    }
    post({ kind: 'left', runEnded: agent.runEnded });
  };
  run().catch((error: unknown) => {
    setImmediate(() => {
      throw error;
    });
  });
}
