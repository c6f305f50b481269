import { EnvProcessDiedError } from '../core.js';
/**
 * One python/env_server.py process and the blocking pipes to it: start-up, the hello that
 * describes the spaces, and the request/reply framing of its binary protocol (see the protocol
 * notes at the top of env_server.py).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { Box, Discrete, type BoxDtype, type Space } from '../spaces.js';
import type { AtariBackend, AtariPreprocessingOptions } from './atari-preprocessing.js';
import { PipeClosedError, openBlockingPipe, readFully, writeFully } from './blocking-pipe.js';
import { PACKAGE_ROOT, extraPackagesFor, resolvePython, type PythonEnvOptions } from './python-env.js';

export const SERVER_SCRIPT = join(PACKAGE_ROOT, 'python', 'env_server.py');
const PROTOCOL_VERSION = 2;

export const Op = { reset: 1, step: 2, ping: 3, close: 4, render: 5 } as const;
const STATUS_OK = 0;
const HEADER_BYTES = 8;
/**
 * Emulator threads of one ale-vector server. One: every agent has its own server, so a run
 * already has a server per agent thread on few cores (2 in CI), and more threads per server
 * would oversubscribe them.
 */
const ALE_VECTOR_THREADS = 1;
/** The RESET payload's seed meaning "no seed". */
export const NO_SEED = -1n;

export interface EnvServerConfig {
  envId: string;
  numEnvs: number;
  /** Keyword arguments for `gymnasium.make`, e.g. `{ repeat_action_probability: 0 }`. */
  makeKwargs: Record<string, unknown>;
  /** DQN preprocessing for Atari ids, or null for the raw env; ignored for other ids. */
  atari: AtariPreprocessingOptions | null;
  /** Who does that preprocessing (AtariBackend); ignored for other ids and raw frames. */
  atariBackend: AtariBackend;
  python: PythonEnvOptions;
}

/** What the server says about the env it serves. */
export interface ServerHello {
  observationSpace: Box;
  actionSpace: Space;
  /** Whether the DQN Atari preprocessing is on (then the info fields below are sent). */
  atari: boolean;
  actionMeanings: string[] | null;
  /** Names of the per-copy info numbers each reply carries, float64 ones first. */
  infoFields: { f64: string[]; i32: string[] };
}

interface HelloText {
  protocol: number;
  observation: { shape: number[]; dtype: string };
  action: { kind: 'discrete'; n: number; start: number } | { kind: 'box'; shape: number[] };
  atari: boolean;
  actionMeanings: string[] | null;
  infoFields: { f64: string[]; i32: string[] };
}

/** The server process is gone (crashed, killed or exited); `restart()` on the env starts a new one. */
export class GymServerDiedError extends EnvProcessDiedError {}

export class EnvServerProcess {
  readonly hello: ServerHello;
  private readonly child: ChildProcess;
  private readonly requestFd: number;
  private readonly replyFd: number;
  private readonly header = new Uint8Array(HEADER_BYTES);
  private readonly headerView = new DataView(this.header.buffer);
  private exitDescription = 'it exited or crashed';
  private closed = false;

  constructor(readonly config: EnvServerConfig) {
    const python = resolvePython(config.python, extraPackagesFor(config.envId));
    const requests = openBlockingPipe();
    const replies = openBlockingPipe();
    const args = [
      SERVER_SCRIPT,
      '--env-id', config.envId,
      '--num-envs', String(config.numEnvs),
      '--make-kwargs', JSON.stringify(config.makeKwargs),
      '--atari-options', JSON.stringify(config.atari),
      '--atari-backend', config.atariBackend,
      '--num-threads', String(ALE_VECTOR_THREADS),
    ];
    this.child = spawn(python, args, { stdio: [requests.readFd, replies.writeFd, 'inherit'] });
    // Only the child may hold these ends: its exit must close the reply pipe for us to see EOF.
    closeSync(requests.readFd);
    closeSync(replies.writeFd);
    this.requestFd = requests.writeFd;
    this.replyFd = replies.readFd;
    this.child.on('error', (error) => (this.exitDescription = `it failed: ${error.message}`));
    this.child.on('exit', (code, signal) => (this.exitDescription = signal ? `it was killed by ${signal}` : `it exited with code ${code}`));
    // The server ends when our pipe ends close, so it must not keep Node's event loop alive.
    this.child.unref();
    try {
      this.hello = this.readHello();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(op: number, payload: Uint8Array = new Uint8Array(0)): void {
    const message = new Uint8Array(HEADER_BYTES + payload.length);
    const view = new DataView(message.buffer);
    view.setUint32(0, op, true);
    view.setUint32(4, payload.length, true);
    message.set(payload, HEADER_BYTES);
    this.guard(() => writeFully(this.requestFd, message));
  }

  /** Reads a reply header; returns its count, or throws the server's error message. */
  readReplyHeader(): number {
    this.readInto(this.header);
    const status = this.headerView.getUint32(0, true);
    const count = this.headerView.getUint32(4, true);
    if (status === STATUS_OK) return count;
    const message = new Uint8Array(count);
    this.readInto(message);
    throw new Error(`gym env server for "${this.config.envId}": ${new TextDecoder().decode(message)}`);
  }

  readInto(target: Uint8Array): void {
    this.guard(() => readFully(this.replyFd, target));
  }

  /** Asks the server to exit and lets go of the pipes; the server also exits when they close. */
  close(): void {
    if (this.closed) return;
    try {
      this.send(Op.close);
    } catch (error) {
      if (!(error instanceof GymServerDiedError)) throw error;
    }
    this.closed = true;
    closeSync(this.requestFd);
    closeSync(this.replyFd);
  }

  /** For a server that may hang: SIGKILL, then close. */
  kill(): void {
    this.child.kill('SIGKILL');
    this.closed = true;
    closeSync(this.requestFd);
    closeSync(this.replyFd);
  }

  private guard(io: () => void): void {
    if (this.closed) throw new Error(`gym env server for "${this.config.envId}" is closed`);
    try {
      io();
    } catch (error) {
      if (!(error instanceof PipeClosedError)) throw error;
      throw new GymServerDiedError(
        `gym env server for "${this.config.envId}" (pid ${this.pid}) is gone: ${this.exitDescription} (see its stderr above); call restart() to start a new one`,
      );
    }
  }

  private readHello(): ServerHello {
    let length: number;
    try {
      length = this.readReplyHeader();
    } catch (error) {
      if (error instanceof GymServerDiedError) {
        throw new GymServerDiedError(`gym env server for "${this.config.envId}" exited during start-up (see its stderr above)`);
      }
      throw error;
    }
    const textBytes = new Uint8Array(length);
    this.readInto(textBytes);
    const text = JSON.parse(new TextDecoder().decode(textBytes)) as HelloText;
    if (text.protocol !== PROTOCOL_VERSION) {
      throw new Error(`${SERVER_SCRIPT} speaks protocol ${text.protocol}, this client ${PROTOCOL_VERSION}; reinstall a3c-ts so both match`);
    }
    const obsShape = text.observation.shape;
    const observationSpace = new Box(this.readFloat64(sizeOf(obsShape)), this.readFloat64(sizeOf(obsShape)), obsShape, boxDtype(text.observation.dtype));
    let actionSpace: Space;
    if (text.action.kind === 'discrete') {
      actionSpace = new Discrete(text.action.n, text.action.start);
    } else {
      const shape = text.action.shape;
      actionSpace = new Box(this.readFloat64(sizeOf(shape)), this.readFloat64(sizeOf(shape)), shape, 'float32');
    }
    return { observationSpace, actionSpace, atari: text.atari, actionMeanings: text.actionMeanings, infoFields: text.infoFields };
  }

  private readFloat64(length: number): Float64Array {
    const values = new Float64Array(length);
    this.readInto(new Uint8Array(values.buffer));
    return values;
  }
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function boxDtype(dtype: string): BoxDtype {
  if (dtype !== 'uint8' && dtype !== 'float32') throw new Error(`gym env server sent observation dtype ${dtype}; expected uint8 or float32`);
  return dtype;
}
