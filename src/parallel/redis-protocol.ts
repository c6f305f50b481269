/**
 * What the trainer and the agents of a run share over Redis (redis-trainer.ts, redis-agent.ts):
 * the URL and connection, the run's keys, and the wire formats. Parameters travel as raw float32
 * bytes behind a small header, or as float16 halves (IEEE binary16, float16.ts) with
 * `--wire-dtype float16`; agent messages as MessagePack (msgpackr), whose typed arrays are raw
 * bytes too, never JSON arrays (gradients as halves with float16). Each agent host fetches each
 * version it uses once, for all its threads (redis-host-params.ts).
 *
 * Keys of run NAME, all under `a3c:NAME:`:
 *
 * | key | type | written by | what |
 * | --- | --- | --- | --- |
 * | `trainer` | string, TTL | trainer | the lock: "SESSION HOST PID"; its presence is the trainer's heartbeat |
 * | `init` | string | trainer | HMAC + MessagePack {session, maxQueued, numParams, lossyValues, wireDtype, init}: what agents are built from |
 * | `params` | string | trainer | the newest parameters: HMAC + header (session, version) + values (ParamsLayout) |
 * | `version` | string | trainer | "SESSION VERSION" of `params`, for cheap polling |
 * | `events` | channel | trainer | "params SESSION VERSION" after each write, "stop SESSION HMAC" at the end |
 * | `stopped` | string, TTL | trainer | "SESSION HMAC": the session whose run has ended: its agents leave |
 * | `work` | stream | agents | one entry per agent message, field "m": HMAC + a MessagePack envelope; capped at about MAX_STREAM_ENTRIES |
 * | `ready` | list | agents | a note pushed with each `work` entry (at most one kept): the trainer blocks on it while `work` is empty |
 * | `credits:ID` | list, TTL | trainer | one entry (the session) per message of agent ID the trainer took |
 * | `agents` | set | agents | ids of the agents that joined |
 * | `agent:ID` | string, TTL | agent ID | its heartbeat and its claim of the id: "TOKEN DESCRIPTION" (TOKEN: 16 hex digits, the agent's own) |
 * | `next-agent` | counter | agents | INCR hands out agent ids |
 *
 * Each HMAC is MAC_BYTES under the run secret (run-secret.ts), zeros without one: agents check the
 * trainer's, and the trainer its agents'. Writes of `init` and `params` are fenced by the lock:
 * a trainer whose lock another took cannot overwrite them (redis-trainer.ts).
 *
 * When the trainer stops, every key of the run expires after STOPPED_RUN_TTL_MS (redis-trainer.ts);
 * a trainer that takes the run again clears the expiry.
 *
 * A session is one trainer process's life: a trainer restarted with `--resume` has a new one, so
 * that work computed with the parameters of its predecessor is recognised and dropped.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { Packr } from 'msgpackr';
import type { Envelope, Provenance } from './transport.js';
import { RedisTransportError, type RedisTarget, type RedisTlsFiles } from './redis-url.js';
import { fromFloat16, toFloat16 } from './float16.js';
import { MAC_BYTES, type RunSigner } from './run-secret.js';
import { WIRE_DTYPES, type WireDtype } from './wire-dtype.js';

/** Agents refresh their heartbeat, and the trainer its lock and its view of the agents, this often. */
export const HEARTBEAT_EVERY_MS = 1000;
/**
 * A heartbeat or trainer lock not refreshed for this long has expired: its owner is taken for
 * dead. Generous against event-loop stalls (a synchronous Atari update, a checkpoint save).
 */
export const HEARTBEAT_TTL_MS = 5000;
/** How long a first connection may take (refused, unreachable) before it fails with one line. */
const FIRST_CONNECT_TIMEOUT_MS = 10_000;
/** Reconnection back-off after a connection was lost: 100 ms, 200 ms, ... up to this. */
const RECONNECT_MAX_DELAY_MS = 2000;
/** Envelope counters above this are not plausible (2^53 - 1 keeps them exact doubles). */
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;
/**
 * Entries the `work` stream keeps at most, about (XADD MAXLEN ~): far above what agents queue
 * (each has at most maxQueued messages untaken), so that only a flood is trimmed.
 */
export const MAX_STREAM_ENTRIES = 10_000;

/** The keys of run `run` (module doc). */
export function runKeys(run: string) {
  const prefix = `a3c:${run}:`;
  return {
    trainer: `${prefix}trainer`,
    init: `${prefix}init`,
    params: `${prefix}params`,
    version: `${prefix}version`,
    events: `${prefix}events`,
    stopped: `${prefix}stopped`,
    work: `${prefix}work`,
    ready: `${prefix}ready`,
    agents: `${prefix}agents`,
    nextAgent: `${prefix}next-agent`,
    credits: (agentId: number) => `${prefix}credits:${agentId}`,
    heartbeat: (agentId: number) => `${prefix}agent:${agentId}`,
  };
}

export type RunKeys = ReturnType<typeof runKeys>;

/** A fresh trainer session id: 32 hex digits. */
export function newSession(): string {
  return randomBytes(16).toString('hex');
}

/** How long a last write (a trainer's "stopped", an agent's leaving) may wait for a Redis that is gone. */
export const FAREWELL_TIMEOUT_MS = 3000;

/** Settles with `promise`, or with undefined once `ms` have passed (it is left running). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether Redis's reply `error` means the login was refused. */
function isAuthError(error: Error): boolean {
  return /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(error.message);
}

/**
 * Node's TLS options for `files` (ioredis's `tls`): the server's certificate is always verified,
 * against `ca` where given.
 * @throws RedisTransportError naming the flag and file that cannot be read.
 */
function tlsOptions(files: RedisTlsFiles): ConnectionOptions {
  const read = (flag: keyof RedisTlsFiles): Buffer | undefined => {
    const file = files[flag];
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new RedisTransportError(`--redis-${flag} ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  return { ca: read('ca'), cert: read('cert'), key: read('key'), rejectUnauthorized: true };
}

/**
 * A connection to `target`, ready for commands. The first connection must succeed within
 * FIRST_CONNECT_TIMEOUT_MS; after that a lost connection is retried for ever (with back-off) and
 * commands wait for it (ioredis's offline queue), so that a Redis restart is survived.
 * `onReconnect` runs each time the connection is ready again after a loss.
 * @throws RedisTransportError when Redis cannot be reached in time, refuses the login, or a TLS
 *   file cannot be read.
 */
export async function connectRedis(target: RedisTarget, role: string, onReconnect: () => void = () => {}): Promise<Redis> {
  if (endianness() !== 'LE') throw new RedisTransportError('the Redis transport sends little-endian float32 bytes; this host is big-endian');
  const startedMs = Date.now();
  let connected = false;
  let lastError: Error | null = null;
  const options: RedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    tls: target.tls === null ? undefined : tlsOptions(target.tls),
    protocol: 2,
    connectionName: `a3c-${role}`,
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => {
      if (lastError !== null && isAuthError(lastError)) return null;
      if (!connected && Date.now() - startedMs > FIRST_CONNECT_TIMEOUT_MS) return null;
      return Math.min(100 * times, RECONNECT_MAX_DELAY_MS);
    },
  };
  const redis = new Redis(options);
  redis.on('error', (error: Error) => (lastError = error));
  redis.on('ready', () => {
    if (connected) onReconnect();
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const cause = lastError ?? (error as Error);
    if (isAuthError(cause)) {
      throw new RedisTransportError(`Redis at ${target.display} refused the login (${cause.message.split('.')[0]}): check the password in the URL or A3C_REDIS_PASSWORD`);
    }
    throw new RedisTransportError(`cannot reach Redis at ${target.display}: ${cause.message}; is redis-server running there, and bound to an address this host can reach?`);
  }
  connected = true;
  return redis;
}

// ---------------------------------------------------------------------------------------------
// Parameters: the HMAC (MAC_BYTES), then a 40-byte header (32 ASCII hex digits of the session,
// float64 version), then the values in the hosts' (little-endian) byte order: the first
// `lossyValues` in the run's wire dtype, the rest as float32 (ParamsLayout). Agent hosts open the
// HMAC (RunSigner.open) and read the payload behind it with the two functions after this one.


/**
 * The layout of a run's parameter blobs (from its `init`): `numParams` values, of which the first
 * `lossyValues` (the network's parameters) travel in `dtype` and the rest (the normalisation
 * statistics, whose variances a half cannot hold) as float32.
 */
export interface ParamsLayout {
  numParams: number;
  lossyValues: number;
  dtype: WireDtype;
}

const SESSION_BYTES = 32;
const PARAMS_HEADER_BYTES = SESSION_BYTES + Float64Array.BYTES_PER_ELEMENT;

/** Bytes of the values of a parameter payload of `layout`. */
function paramsValueBytes({ numParams, lossyValues, dtype }: ParamsLayout): number {
  const lossy = dtype === 'float16' ? lossyValues : 0;
  return lossy * Uint16Array.BYTES_PER_ELEMENT + (numParams - lossy) * Float32Array.BYTES_PER_ELEMENT;
}

/** The signed parameter blob of `version` of `session` (`params`: layout.numParams values). */
export function encodeParams(signer: RunSigner, session: string, version: number, params: Float32Array, layout: ParamsLayout): Buffer {
  const blob = Buffer.allocUnsafe(MAC_BYTES + PARAMS_HEADER_BYTES + paramsValueBytes(layout));
  blob.write(session, MAC_BYTES, SESSION_BYTES, 'latin1');
  blob.writeDoubleLE(version, MAC_BYTES + SESSION_BYTES);
  let at = MAC_BYTES + PARAMS_HEADER_BYTES;
  let rest = params;
  if (layout.dtype === 'float16') {
    const halves = new Uint16Array(layout.lossyValues);
    toFloat16(params.subarray(0, layout.lossyValues), halves);
    at += bytesOf(halves).copy(blob, at);
    rest = params.subarray(layout.lossyValues);
  }
  bytesOf(rest).copy(blob, at);
  return signer.seal('params', blob);
}

/** The bytes of a typed array, as a Buffer over the same memory. */
function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** The session and version of a parameter payload (a blob without its HMAC) of `layout`, or null when it is not one. */
export function paramsHeader(blob: Buffer, layout: ParamsLayout): { session: string; version: number } | null {
  if (blob.length !== PARAMS_HEADER_BYTES + paramsValueBytes(layout)) return null;
  return { session: blob.toString('latin1', 0, SESSION_BYTES), version: blob.readDoubleLE(SESSION_BYTES) };
}

/** The values of a parameter payload (checked by `paramsHeader`) into `out` (layout.numParams), as float32. */
export function readParams(blob: Buffer, layout: ParamsLayout, out: Float32Array): void {
  let at = PARAMS_HEADER_BYTES;
  let rest = out;
  if (layout.dtype === 'float16') {
    // Copied out first: the payload's offset in its buffer need not be even.
    const halves = new Uint16Array(layout.lossyValues);
    at += blob.copy(bytesOf(halves), 0, at, at + halves.byteLength);
    fromFloat16(halves, out.subarray(0, layout.lossyValues));
    rest = out.subarray(layout.lossyValues);
  }
  blob.copy(bytesOf(rest), 0, at);
}

/** "SESSION VERSION" announcements (the `version` key, `params` events) to their parts. */
export function parseVersionNote(note: string | null): { session: string; version: number } | null {
  const match = note === null ? null : /^([0-9a-f]{32}) (\d+)$/.exec(note);
  return match === null ? null : { session: match[1], version: Number(match[2]) };
}

// ---------------------------------------------------------------------------------------------
// MessagePack: typed arrays as raw bytes that decode to the same typed array class; no records
// and no structured-clone references (a foreign message cannot build cycles or shared objects).

const packr = new Packr({ moreTypes: true, useRecords: false, structuredClone: false, mapsAsObjects: true, int64AsType: 'number' });

/** `value` as MessagePack. */
export function pack(value: unknown): Buffer {
  return packr.pack(value);
}

/** A MessagePack value. @throws Error when `bytes` are not MessagePack. */
export function unpack(bytes: Buffer): unknown {
  return packr.unpack(bytes);
}

/**
 * What goes up the `work` stream: an agent's envelope, stamped with its run and the trainer session
 * of its parameters. `halves`: the body's Float32Arrays travel as Uint16Arrays of float16 bits.
 */
interface WireEnvelope extends Provenance {
  run: string;
  session: string;
  body: unknown;
  halves?: boolean;
}

/**
 * `value` with each typed array that `from` accepts replaced by `convert(array)`, through plain
 * objects and arrays (as transferablesOf walks them); other values are kept.
 */
function mapArrays(value: unknown, from: (v: ArrayBufferView) => boolean, convert: (v: ArrayBufferView) => ArrayBufferView): unknown {
  if (ArrayBuffer.isView(value)) return from(value) ? convert(value) : value;
  if (Array.isArray(value)) return value.map((item) => mapArrays(item, from, convert));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapArrays(item, from, convert)]));
}

/** Whether some typed array in `value` (through plain objects and arrays) is a Uint16Array. */
function hasUint16(value: unknown): boolean {
  let found = false;
  mapArrays(value, (v) => (found ||= v instanceof Uint16Array), (v) => v);
  return found;
}

const halved = (v: ArrayBufferView) => {
  const halves = new Uint16Array((v as Float32Array).length);
  toFloat16(v as Float32Array, halves);
  return halves;
};
const restored = (v: ArrayBufferView) => {
  const floats = new Float32Array((v as Uint16Array).length);
  fromFloat16(v as Uint16Array, floats);
  return floats;
};

/**
 * One agent message as a stream field value: its HMAC, then the MessagePack envelope. With `dtype`
 * float16, the Float32Arrays of an envelope marked `lossy` (a gradient) travel as halves, unless
 * its body holds Uint16Arrays already (which would be taken for halves).
 */
export function encodeEnvelope(signer: RunSigner, run: string, session: string, envelope: Envelope, dtype: WireDtype): Buffer {
  const wire: WireEnvelope = { run, session, agentId: envelope.agentId, paramsVersion: envelope.paramsVersion, envSteps: envelope.envSteps, body: envelope.body };
  if (dtype === 'float16' && envelope.lossy === true && !hasUint16(envelope.body)) {
    wire.body = mapArrays(envelope.body, (v) => v instanceof Float32Array, halved);
    wire.halves = true;
  }
  return signer.sign('message', pack(wire));
}

/**
 * A decoded stream entry: an envelope with the session of its parameters, or why it was refused
 * (with the agent and session it names, where those could be read, so that the sender can be
 * given its credit back).
 */
export type DecodedEnvelope =
  | { ok: true; envelope: Envelope; session: string }
  | { ok: false; problem: string; agentId: number | null; session: string | null };

const isCounter = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNTER;

/** A short, safe rendering of a decoded value for an error message (at most 40 characters). */
function brief(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? JSON.stringify(v) : ArrayBuffer.isView(v) ? v.constructor.name : (JSON.stringify(v) ?? String(v));
  } catch {
    text = typeof v;
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Checks a stream entry's envelope before anything uses it: its size (before decoding), its HMAC
 * (before decoding: an entry that fails names no agent, as its claims are not to be believed),
 * its MessagePack, its run name and the types of its provenance. The body is left to the caller
 * (the algorithm checks its shapes).
 */
export function decodeEnvelope(signer: RunSigner, bytes: Buffer, run: string, maxBytes: number): DecodedEnvelope {
  const refuse = (problem: string, agentId: number | null = null, session: string | null = null): DecodedEnvelope => ({ ok: false, problem, agentId, session });
  if (bytes.length > maxBytes) return refuse(`${bytes.length} bytes, more than the ${maxBytes} allowed`);
  const opened = signer.open('message', bytes);
  if (!opened.ok) return refuse(opened.problem);
  let value: unknown;
  try {
    value = unpack(opened.payload);
  } catch (error) {
    return refuse(`not MessagePack (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('not an a3c envelope (expected a map)');
  const wire = value as Partial<Record<keyof WireEnvelope, unknown>>;
  if (wire.run !== run) return refuse(`for run ${brief(wire.run)}, not ${JSON.stringify(run)}`);
  const agentId = isCounter(wire.agentId) ? wire.agentId : null;
  const session = typeof wire.session === 'string' && /^[0-9a-f]{32}$/.test(wire.session) ? wire.session : null;
  if (agentId === null) return refuse(`agentId ${brief(wire.agentId)} is not a non-negative integer`);
  if (session === null) return refuse(`session ${brief(wire.session)} is not 32 hex digits`, agentId);
  for (const key of ['paramsVersion', 'envSteps'] as const) {
    if (!isCounter(wire[key])) return refuse(`${key} ${brief(wire[key])} is not a non-negative integer`, agentId, session);
  }
  if (!('body' in wire)) return refuse('no body', agentId, session);
  if (wire.halves !== undefined && wire.halves !== true) return refuse(`halves ${brief(wire.halves)} is not true`, agentId, session);
  let body = wire.body;
  if (wire.halves === true) {
    try {
      body = mapArrays(body, (v) => v instanceof Uint16Array, restored);
    } catch (error) {
      return refuse(`its halves cannot be read (${(error as Error).message})`, agentId, session);
    }
  }
  return { ok: true, session, envelope: { agentId, paramsVersion: wire.paramsVersion as number, envSteps: wire.envSteps as number, body } };
}

/** What the trainer writes to `init`: how its agents are built, how many messages each may have waiting, and how parameters travel. */
export interface RunInfo {
  session: string;
  /** Messages an agent may have in the stream, untaken by the trainer, before it waits. */
  maxQueued: number;
  numParams: number;
  /** Leading parameters that travel in `wireDtype` (ParamsLayout.lossyValues). */
  lossyValues: number;
  /** The run's `--wire-dtype`: parameters down, gradients up. */
  wireDtype: WireDtype;
  /** The algorithm's start-up data for every agent (opaque here). */
  init: unknown;
}

/** An `init` payload (the key's value behind its HMAC, RunSigner.open), or null when it is not one. */
export function decodeRunInfo(bytes: Buffer): RunInfo | null {
  let value: unknown;
  try {
    value = unpack(bytes);
  } catch {
    return null;
  }
  const info = value as Partial<RunInfo> | null;
  if (typeof info !== 'object' || info === null || typeof info.session !== 'string' || !isCounter(info.maxQueued) || !isCounter(info.numParams)) return null;
  if (!isCounter(info.lossyValues) || info.lossyValues > info.numParams || !WIRE_DTYPES.includes(info.wireDtype as WireDtype)) return null;
  return info as RunInfo;
}

/** The layout of the parameter blobs of the run `info` describes. */
export function paramsLayout(info: RunInfo): ParamsLayout {
  return { numParams: info.numParams, lossyValues: info.lossyValues, dtype: info.wireDtype };
}

/** The value of `stopped` and the tail of a "stop" note: the session that ended the run, and its HMAC in hex. */
export function stopNote(signer: RunSigner, session: string): string {
  return `${session} ${signer.tag('stop', session).toString('hex')}`;
}

/** The session of a stop note whose HMAC verifies, or why not. */
export function parseStopNote(signer: RunSigner, note: string): { ok: true; session: string } | { ok: false; problem: string } {
  const match = /^([0-9a-f]{32}) ([0-9a-f]{64})$/.exec(note);
  if (match === null) return { ok: false, problem: `"${note.slice(0, 40)}" is not "SESSION HMAC"` };
  return signer.check('stop', Buffer.from(match[2], 'hex'), match[1]) ?? { ok: true, session: match[1] };
}
