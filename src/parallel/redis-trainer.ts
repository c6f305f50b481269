import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { RedisAgentPool } from './redis-agent-pool.js';
import {
  connectRedis,
  decodeEnvelope,
  encodeParams,
  FAREWELL_TIMEOUT_MS,
  HEARTBEAT_EVERY_MS,
  HEARTBEAT_TTL_MS,
  newSession,
  pack,
  runKeys,
  stopNote,
  type ParamsLayout,
  type RunInfo,
  type RunKeys,
  within,
} from './redis-protocol.js';
import { RedisTransportError, type RedisTarget } from './redis-url.js';
import { RunSigner } from './run-secret.js';
import type { WireDtype } from './wire-dtype.js';
import type { TrainerTransport, TransportHandlers } from './transport.js';

/** Stream entries taken per read at most, and how long the reader waits for a `ready` note. */
const READ_COUNT = 64;
const READ_BLOCK_S = 0.5;
/**
 * Bytes of entries taken per read at most (an entry up to the message limit is always taken
 * alone): what the trainer buffers at once, whatever is waiting in the stream.
 */
const READ_BUDGET_BYTES = 32 << 20;

/**
 * Takes the `work` entries after id ARGV[1] (at most ARGV[2] of them, and no more bytes than
 * ARGV[3] once one is taken) and empties `ready`. Entries whose fields exceed ARGV[4] bytes are
 * deleted on the server, never sent: each comes back as {id, bytes}, the others as {id, bytes,
 * fields}. XRANGE takes one entry at a time, so that only one oversized entry at a time is copied
 * into the script. Exclusive ranges "(" need Redis 6.2.
 */
const TAKE_LUA = `
redis.call('DEL', KEYS[2])
local out, taken, from = {}, 0, '(' .. ARGV[1]
for _ = 1, tonumber(ARGV[2]) do
  local entry = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 1)[1]
  if entry == nil then break end
  local id, fields, bytes = entry[1], entry[2], 0
  for i = 1, #fields do bytes = bytes + #fields[i] end
  if bytes > tonumber(ARGV[4]) then
    redis.call('XDEL', KEYS[1], id)
    out[#out + 1] = {id, bytes}
  else
    if taken > 0 and taken + bytes > tonumber(ARGV[3]) then break end
    taken = taken + bytes
    out[#out + 1] = {id, bytes, fields}
  end
  from = '(' .. id
end
return out`;
/** TAKE_LUA's name as a command of the reader's connection (ioredis defineCommand). */
const TAKE_COMMAND = 'a3cTakeWork';
/** Credits of an agent that died are forgotten after this long. */
const CREDITS_TTL_MS = 60_000;
/**
 * The run's keys expire this long after its trainer stopped: long enough for an agent whose link
 * was down to come back and read `stopped`. A trainer that takes the run again (`--resume`) clears
 * the expiry.
 */
export const STOPPED_RUN_TTL_MS = 3_600_000;
/** A trainer waits this long for the lock of a predecessor that was killed to expire. */
const LOCK_WAIT_MS = HEARTBEAT_TTL_MS + 2000;

/**
 * Refreshes the trainer lock when this session holds it, takes it when it is free (Redis
 * restarted); returns 0 when another trainer holds it.
 */
const KEEP_LOCK_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder == false then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
if string.sub(holder, 1, 32) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1 end
return 0`;
/**
 * Issue 21, item 4: the trainer's writes are fenced by the lock. FENCE_LUA opens each write script:
 * it takes the lock when it is free (Redis restarted, or the lock expired with no successor), and
 * returns 0, writing nothing, when another session holds it. ARGV[1..3]: session, lock value, TTL.
 * GETRANGE reads the holder's session alone (an absent lock reads as ''), and keeps GET calls in
 * INFO commandstats to the agents' parameter fetches (bench/multihost-suite.ts counts them).
 */
const FENCE_LUA = `
local holder = redis.call('GETRANGE', KEYS[1], 0, 31)
if holder == '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
elseif holder ~= ARGV[1] then return 0 end
`;
/** Writes `init` (ARGV[4]) and clears a previous stop (KEYS: lock, stopped, init, then keys to persist), fenced. */
const WRITE_INIT_LUA = `${FENCE_LUA}
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], ARGV[4])
for i = 4, #KEYS do redis.call('PERSIST', KEYS[i]) end
return 1`;
/** Writes `params` (ARGV[4]) and `version` (ARGV[5]) and announces them on channel ARGV[6] (KEYS: lock, params, version), fenced. */
const WRITE_PARAMS_LUA = `${FENCE_LUA}
redis.call('SET', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[5])
redis.call('PUBLISH', ARGV[6], 'params ' .. ARGV[5])
return 1`;
/** The write scripts' names as commands of the trainer's connection (ioredis defineCommand). */
const WRITE_INIT_COMMAND = 'a3cWriteInit';
const WRITE_PARAMS_COMMAND = 'a3cWriteParams';

/** Deletes the trainer lock when this session holds it. */
const RELEASE_LOCK_LUA = "if string.sub(redis.call('GET', KEYS[1]) or '', 1, 32) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0";

export interface RedisTrainerOptions {
  target: RedisTarget;
  /** The run's name: its keys' prefix, checked on every message. */
  run: string;
  /** Start-up data for every agent (MessagePack-encodable; each agent derives its own seed from its id). */
  agentInit: unknown;
  numParams: number;
  /** How parameters and (lossy) agent messages travel: `--wire-dtype`. */
  wireDtype: WireDtype;
  /** The leading parameters that may travel in `wireDtype` (the network's; the normalisation statistics after them travel as float32). */
  lossyValues: number;
  /** Messages an agent may have in the stream, untaken, before its `send` waits. */
  maxQueuedPerAgent: number;
  /** A message larger than this is rejected unread. */
  maxMessageBytes: number;
  /** Agent threads this process runs itself, joining through Redis as remote agents do; 0 for none. */
  localAgents: number;
  /** The module local agent threads run (it calls `runRedisAgentThread`). */
  agentModule: URL;
  /** What local agents are given as their own command line would give it (opaque here; see RedisAgentThreadData). */
  localAgentOptions: unknown;
  /** The run secret (run-secret.ts): `init`, parameters and the end are signed, agents' messages checked; null for none. */
  secret: string | null;
}

/**
 * The trainer's side of a run over Redis (keys and formats in redis-protocol.ts): it holds the
 * run's lock, writes `init` and each parameter version (a write in flight is followed by one of the
 * newest version only, so a slow link skips versions instead of queueing them), takes agent
 * messages from the `work` stream (checking each envelope, handing each agent a credit back), and
 * watches heartbeats: agents join at any time, and one whose heartbeat expires is reported and
 * forgotten (what it had not sent is lost; what it sent is used). A restarted Redis is rejoined and
 * given the lock, `init` and parameters again.
 */
export class RedisTrainerTransport implements TrainerTransport {
  readonly session = newSession();
  /** The lock's value: the session, then where the trainer runs (for the message a second trainer gets). */
  private readonly lockValue = `${this.session} ${hostname()} ${process.pid}`;
  private readonly keys: RunKeys;
  private readonly signer: RunSigner;
  private readonly layout: ParamsLayout;
  private cmd: Redis | null = null;
  private reader: Redis | null = null;
  private handlers: TransportHandlers | null = null;
  private pool: RedisAgentPool | null = null;
  private params: Float32Array | null = null;
  private published = 0;
  private written = 0;
  private writing = false;
  /** Agents whose heartbeat was seen, by id, with their description. */
  private readonly known = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private reading: Promise<void> = Promise.resolve();
  private stopping = false;
  /** The lock was taken: the run's keys are this trainer's to write. */
  private holdsLock = false;

  constructor(private readonly options: RedisTrainerOptions) {
    this.keys = runKeys(options.run);
    this.signer = new RunSigner(options.secret, options.run);
    this.layout = { numParams: options.numParams, lossyValues: options.lossyValues, dtype: options.wireDtype };
  }

  /** Agents connected: those whose heartbeat the trainer saw last. */
  get agents(): number {
    return this.known.size;
  }

  get version(): number {
    return this.published;
  }

  publish(params: Float32Array): number {
    this.params = params;
    this.published++;
    this.writeParams();
    return this.published;
  }

  /**
   * Connects, takes the run's lock (waiting out the lock of a killed predecessor), writes `init`
   * and the parameters, then takes messages and watches heartbeats; with local agents, resolves
   * once they are built, with their descriptions (else at once, with none).
   * @throws RedisTransportError when Redis cannot be reached, refuses the login, or the run has
   *   another live trainer.
   */
  async start(handlers: TransportHandlers): Promise<string[]> {
    this.handlers = handlers;
    const { target, run } = this.options;
    this.cmd = await connectRedis(target, 'trainer', () => this.rejoin());
    this.cmd.defineCommand(WRITE_INIT_COMMAND, { lua: WRITE_INIT_LUA });
    this.cmd.defineCommand(WRITE_PARAMS_COMMAND, { numberOfKeys: 3, lua: WRITE_PARAMS_LUA });
    this.reader = await connectRedis(target, 'trainer-reader');
    // Sent once, then run by its SHA1 (EVALSHA; ioredis resends it after a server restart).
    this.reader.defineCommand(TAKE_COMMAND, { numberOfKeys: 2, lua: TAKE_LUA });
    await this.takeLock();
    this.holdsLock = true;
    await this.writeInit();
    this.writeParams();
    this.timer = setInterval(() => this.tick(), HEARTBEAT_EVERY_MS);
    this.reading = this.readLoop().catch((error: Error) => {
      if (!this.stopping) handlers.onFailure(error);
    });
    handlers.onLog(`trainer of run ${run} at ${target.display} (session ${this.session.slice(0, 8)}); agents join with: a3c agent --transport ${target.display} --run ${run}`);
    if (this.options.localAgents === 0) return [];
    const { localAgents: agents, agentModule, localAgentOptions: agentOptions, secret } = this.options;
    this.pool = new RedisAgentPool({ target, run, agents, agentModule, agentOptions, secret, onLog: handlers.onLog });
    this.pool.done.catch((error: Error) => handlers.onFailure(error));
    return this.pool.start();
  }

  private async takeLock(): Promise<void> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let waited = false; ; waited = true) {
      if ((await this.cmd!.set(this.keys.trainer, this.lockValue, 'PX', HEARTBEAT_TTL_MS, 'NX')) === 'OK') return;
      const holder = (await this.cmd!.get(this.keys.trainer)) ?? '';
      if (Date.now() > deadline) {
        throw new RedisTransportError(`run ${this.options.run} at ${this.options.target.display} already has a live trainer (${holder.slice(33) || 'unknown host'}); stop it, or choose another --run`);
      }
      if (!waited) this.handlers!.onLog(`run ${this.options.run} has a trainer lock (${holder.slice(33)}); waiting up to ${LOCK_WAIT_MS / 1000} s for it to expire`);
      await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_EVERY_MS / 4));
    }
  }

  private async writeInit(): Promise<void> {
    const { maxQueuedPerAgent: maxQueued, numParams, lossyValues, wireDtype, agentInit } = this.options;
    const info: RunInfo = { session: this.session, maxQueued, numParams, lossyValues, wireDtype, init: agentInit };
    const { trainer, stopped, init, work, ready, agents, nextAgent } = this.keys;
    const keys = [trainer, stopped, init, work, ready, agents, nextAgent];
    const written = await this.script(WRITE_INIT_COMMAND)(keys.length, ...keys, this.session, this.lockValue, HEARTBEAT_TTL_MS, this.signer.sign('init', pack(info)));
    if (written !== 1) throw this.lockLost();
  }

  /** A write script defined on the command connection. */
  private script(name: string): (...args: (string | number | Buffer)[]) => Promise<unknown> {
    const cmd = this.cmd as unknown as Record<string, (...args: (string | number | Buffer)[]) => Promise<unknown>>;
    return cmd[name].bind(this.cmd);
  }

  /** The error of a trainer whose lock another took: it writes nothing more and stops. */
  private lockLost(): RedisTransportError {
    this.holdsLock = false;
    return new RedisTransportError(`another trainer took run ${this.options.run}'s lock; this one stops`);
  }

  /**
   * Writes the newest published parameters unless a write is in flight; when it lands, writes
   * again if newer ones were published meanwhile (those in between are never sent).
   */
  private writeParams(): void {
    if (this.cmd === null || this.params === null || this.writing || this.written === this.published || this.stopping || !this.holdsLock) return;
    this.writing = true;
    const version = this.published;
    const { trainer, params, version: versionKey, events } = this.keys;
    const blob = encodeParams(this.signer, this.session, version, this.params, this.layout);
    this.script(WRITE_PARAMS_COMMAND)(trainer, params, versionKey, this.session, this.lockValue, HEARTBEAT_TTL_MS, blob, `${this.session} ${version}`, events)
      .then(
        (written) => {
          this.writing = false;
          if (written !== 1) {
            if (this.holdsLock) this.handlers?.onFailure(this.lockLost());
            return;
          }
          this.written = version;
          this.writeParams();
        },
        (error: Error) => {
          this.writing = false;
          this.handlers?.onLog(`writing parameters version ${version} failed (${error.message}); retrying with the next version`);
        },
      );
  }

  /** A reconnection: Redis may have restarted empty, so the lock, `init` and parameters are written again. */
  private rejoin(): void {
    if (this.stopping) return;
    this.handlers?.onLog(`Redis at ${this.options.target.display} is back; writing the run's lock, init and parameters again`);
    this.written = 0;
    void this.writeInit().then(
      () => this.writeParams(),
      (error: Error) => {
        if (error instanceof RedisTransportError) this.handlers?.onFailure(error);
      },
    );
  }

  /** Keeps the lock and the view of the agents: who joined, who left, whose heartbeat expired. */
  private tick(): void {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    void this.cmd!.eval(KEEP_LOCK_LUA, 1, this.keys.trainer, this.session, this.lockValue, HEARTBEAT_TTL_MS)
      .then(async (kept) => {
        if (kept !== 1) {
          if (!this.holdsLock) return;
          throw this.lockLost();
        }
        await this.watchAgents();
      })
      .catch((error: Error) => {
        if (error instanceof RedisTransportError) this.handlers?.onFailure(error);
        else this.handlers?.onLog(`keeping the run's lock failed (${error.message}); retrying`);
      })
      .finally(() => (this.ticking = false));
  }

  private async watchAgents(): Promise<void> {
    const cmd = this.cmd!;
    const members = (await cmd.smembers(this.keys.agents)).map(Number).filter((id) => Number.isInteger(id) && id >= 0);
    const beats = members.length === 0 ? [] : await cmd.mget(members.map((id) => this.keys.heartbeat(id)));
    const alive = new Map<number, string>();
    members.forEach((id, i) => {
      const beat = beats[i];
      if (beat !== null) alive.set(id, beat);
    });
    for (const [id, description] of alive) if (!this.known.has(id)) this.handlers?.onLog(`agent ${id} joined (${description})`);
    for (const id of this.known.keys()) {
      if (alive.has(id)) continue;
      const lost = members.includes(id);
      this.handlers?.onLog(
        lost ? `agent ${id} lost: no heartbeat for ${HEARTBEAT_TTL_MS / 1000} s; what it had not sent is lost, training goes on` : `agent ${id} left`,
      );
    }
    const dead = members.filter((id) => !alive.has(id));
    if (dead.length > 0) {
      await cmd
        .multi()
        .srem(this.keys.agents, ...dead.map(String))
        .del(...dead.map((id) => this.keys.credits(id)))
        .exec();
    }
    this.known.clear();
    for (const [id, description] of alive) this.known.set(id, description);
  }

  /**
   * Takes stream entries in order from the first one (entries left by a predecessor are dropped
   * as stale) by TAKE_LUA, within READ_BUDGET_BYTES, and deletes them once taken; while the stream
   * is empty, waits for an agent's `ready` note.
   */
  private async readLoop(): Promise<void> {
    const reader = this.reader!;
    const takeWork = (reader as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[`${TAKE_COMMAND}Buffer`].bind(reader);
    const { maxMessageBytes } = this.options;
    let lastId = '0';
    while (!this.stopping) {
      let reply: ([Buffer, number] | [Buffer, number, Buffer[]])[];
      try {
        reply = (await takeWork(this.keys.work, this.keys.ready, lastId, READ_COUNT, READ_BUDGET_BYTES, maxMessageBytes)) as typeof reply;
        if (reply.length === 0 && !this.stopping) await reader.blpop(this.keys.ready, READ_BLOCK_S);
      } catch (error) {
        if (this.stopping) return;
        throw error;
      }
      if (reply.length === 0 || this.stopping) continue;
      const ids: string[] = [];
      for (const [idBytes, bytes, fields] of reply) {
        lastId = idBytes.toString();
        if (fields === undefined) {
          this.handlers!.onDropped('rejected', `message ${lastId}: ${bytes} bytes, more than the ${maxMessageBytes} allowed (deleted unread)`, null);
          continue;
        }
        ids.push(lastId);
        this.take(lastId, fields);
        if (this.stopping) break;
      }
      if (ids.length > 0) void this.cmd!.xdel(this.keys.work, ...ids).catch(() => {});
    }
  }

  /** Checks one stream entry and hands its envelope to the trainer, or counts it as dropped. */
  private take(id: string, fields: Buffer[]): void {
    const handlers = this.handlers!;
    const bytes = fields.length === 2 && fields[0].toString() === 'm' ? fields[1] : null;
    const decoded =
      bytes === null
        ? { ok: false as const, problem: 'not an a3c message (expected one field "m")', agentId: null, session: null }
        : decodeEnvelope(this.signer, bytes, this.options.run, this.options.maxMessageBytes);
    const from = decoded.ok ? decoded.envelope.agentId : decoded.agentId;
    if (from !== null && decoded.session === this.session) this.credit(from);
    if (!decoded.ok) {
      handlers.onDropped('rejected', `message ${id}${from === null ? '' : ` from agent ${from}`}: ${decoded.problem}`, from);
      return;
    }
    if (decoded.session !== this.session) {
      handlers.onDropped('stale', `message ${id} from agent ${from}: computed with a previous trainer's parameters`, from);
      return;
    }
    try {
      handlers.onMessage(decoded.envelope);
    } catch (error) {
      handlers.onFailure(error as Error);
    }
  }

  /** Lets agent `agentId` send one more message. */
  private credit(agentId: number): void {
    const key = this.keys.credits(agentId);
    void this.cmd!.multi().rpush(key, this.session).pexpire(key, CREDITS_TTL_MS).exec().catch(() => {});
  }

  /** Fault injection for local agents: ends agent `agentId`'s thread abruptly. False for a remote or unknown agent. */
  async kill(agentId: number): Promise<boolean> {
    return (await this.pool?.kill(agentId)) ?? false;
  }

  /**
   * Ends the run for its agents (`stopped`, a "stop" note: they leave), releases the lock, lets
   * the run's keys expire in STOPPED_RUN_TTL_MS, waits for local agents to leave and closes the
   * connections.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    const cmd = this.cmd;
    if (cmd === null) return;
    if (!this.holdsLock) {
      this.reader?.disconnect();
      cmd.disconnect();
      return;
    }
    const { stopped, events, trainer, init, params, version, work, ready, agents, nextAgent } = this.keys;
    const end = stopNote(this.signer, this.session);
    let ending = cmd.multi().set(stopped, end, 'PX', STOPPED_RUN_TTL_MS).publish(events, `stop ${end}`).eval(RELEASE_LOCK_LUA, 1, trainer, this.session);
    for (const key of [init, params, version, work, ready, agents, nextAgent]) ending = ending.pexpire(key, STOPPED_RUN_TTL_MS);
    const ended = ending.exec();
    const marked = await within(ended.then(() => true, () => false), FAREWELL_TIMEOUT_MS);
    if (marked !== true) this.handlers?.onLog(`could not mark run ${this.options.run} ended in Redis; its agents will wait for a trainer`);
    await this.pool?.leave();
    this.reader?.disconnect();
    await this.reading;
    cmd.disconnect();
  }
}
