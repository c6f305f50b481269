import type { Info, Obs, ResetOptions, VectorEnv, VectorStepResult } from '../core.js';
import { Rng } from '../../utils/rng.js';
import { actionProblem } from '../env-checks.js';
import type { Box, Space } from '../spaces.js';
import { ATARI_BACKENDS, DEFAULT_ATARI_BACKEND, resolveAtariPreprocessing, type AtariBackend, type AtariPreprocessingOptions } from './atari-preprocessing.js';
import { EnvServerProcess, NO_SEED, Op, type EnvServerConfig } from './env-server-process.js';
import type { PythonEnvOptions } from './python-env.js';

const FLOAT64_BYTES = 8;
const INT32_BYTES = 4;

export interface GymEnvOptions {
  /** Keyword arguments for `gymnasium.make`, e.g. `{ repeat_action_probability: 0 }`. */
  makeKwargs?: Record<string, unknown>;
  /**
   * For Atari ids: changes to the DQN preprocessing (DQN_ATARI_DEFAULTS, ptan's wrap_dqn), or
   * false for the id's raw frames. Ignored for other ids.
   */
  atari?: Partial<AtariPreprocessingOptions> | false;
  /** Who preprocesses Atari ids (default `ale-vector`); raw frames (`atari: false`) are always `python`'s. */
  atariBackend?: AtariBackend;
  /** Which Python runs the server; default: the project's venv, created on first use. */
  python?: PythonEnvOptions;
}

/** The info field python/env_server.py sets, for Atari ids, on the step where a game really ended. */
const GAME_SCORE = 'gameScore';

/**
 * N copies of one Gymnasium env, stepped together in one Python process (python/env_server.py)
 * behind the VectorEnv contract: same-step auto-reset, `finalObs` of the copies that ended, and
 * `infos[i].resetInfo` holding the info of copy i's auto-reset.
 *
 * For Atari ids with the DQN preprocessing, infos carry `lives`, `frameNumber` and
 * `episodeFrameNumber` (ALE's counters after the step), `rawReward` (the step's unclipped reward),
 * `gameScore` (on the step where the game really ended: its raw score, summed over all lives) and,
 * in reset infos, `noops` (the reset's no-op frames).
 *
 * Every id reports whole episodes in `infos[i].episode` (`{ r, l }`, as RecordEpisodeStatistics):
 * for Atari the whole game (all lives) with its raw score and length in agent steps, whatever the
 * episodic-life and reward-clipping wrappers do; for other ids each episode's summed reward.
 */
export class GymVectorEnv implements VectorEnv {
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space;
  /** Action meanings of Atari games (`NOOP`, `FIRE`, ...), else null. */
  readonly actionMeanings: string[] | null;
  private server: EnvServerProcess;
  private readonly config: EnvServerConfig;
  /** Numbers per copy in `step`'s actions: 1 for Discrete, the Box size otherwise. */
  private readonly actionSize: number;
  /** Seeds restarted servers, so that a seeded run stays reproducible across restarts. */
  private seedRng: Rng | null = null;
  private hasReset = false;
  /** Per copy: agent steps and summed rewards of the episode (Atari: game) in progress. */
  private readonly episodeSteps: Int32Array;
  private readonly episodeReturns: Float64Array;

  constructor(
    readonly envId: string,
    readonly numEnvs: number,
    options: GymEnvOptions = {},
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new Error(`GymVectorEnv("${envId}"): numEnvs must be a positive integer, got ${numEnvs}`);
    this.episodeSteps = new Int32Array(numEnvs);
    this.episodeReturns = new Float64Array(numEnvs);
    this.config = {
      envId,
      numEnvs,
      makeKwargs: options.makeKwargs ?? {},
      atari: options.atari === false ? null : resolveAtariPreprocessing(options.atari),
      atariBackend: options.atari === false ? 'python' : checkBackend(envId, options.atariBackend ?? DEFAULT_ATARI_BACKEND),
      python: options.python ?? {},
    };
    this.server = new EnvServerProcess(this.config);
    const hello = this.server.hello;
    this.singleObservationSpace = hello.observationSpace;
    this.singleActionSpace = hello.actionSpace;
    this.actionMeanings = hello.actionMeanings;
    this.actionSize = this.singleActionSpace.kind === 'discrete' ? 1 : this.singleActionSpace.size;
  }

  /** Process id of the current server. */
  get serverPid(): number | undefined {
    return this.server.pid;
  }

  /** Resets every copy; a seed s seeds copy i with s + i, as Gymnasium. Observations: `[numEnvs * obsSize]`. */
  reset(options: ResetOptions = {}): { obs: Obs; infos: Info[] } {
    if (options.seed !== undefined) {
      // Gymnasium's seeding accepts only non-negative integers.
      if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new Error(`GymVectorEnv("${this.envId}").reset: seed must be a non-negative integer, got ${options.seed}`);
      this.seedRng = new Rng(options.seed);
    }
    const payload = new Uint8Array(FLOAT64_BYTES);
    new DataView(payload.buffer).setBigInt64(0, options.seed === undefined ? NO_SEED : BigInt(options.seed), true);
    this.server.send(Op.reset, payload);
    const { obs, infos } = this.readReply();
    this.hasReset = true;
    this.episodeSteps.fill(0);
    this.episodeReturns.fill(0);
    return { obs, infos };
  }

  /**
   * `actions[i]` for copy i (Discrete), or `actions[i * size .. (i + 1) * size)` (Box of `size`
   * numbers, sent as float32).
   * @throws Error naming the env for actions of the wrong length, non-integer discrete actions, or
   *   Box actions that are not finite or outside the space; nothing is stepped then.
   */
  step(actions: ArrayLike<number>): VectorStepResult {
    if (!this.hasReset) throw new Error(`GymVectorEnv("${this.envId}").step: called before reset(); call reset() first`);
    if (actions.length !== this.numEnvs * this.actionSize) {
      throw new Error(
        `GymVectorEnv("${this.envId}").step: got ${actions.length} action numbers, expected numEnvs * ${this.actionSize} = ` +
          `${this.numEnvs * this.actionSize} for ${this.singleActionSpace}`,
      );
    }
    const space = this.singleActionSpace;
    if (space.kind === 'box') {
      // A NaN would reach the physics (MuJoCo) and come back as NaN observations much later.
      for (let i = 0; i < this.numEnvs; i++) {
        const problem = actionProblem(space, Array.prototype.slice.call(actions, i * space.size, (i + 1) * space.size) as number[]);
        if (problem !== null) throw new Error(`GymVectorEnv("${this.envId}").step: copy ${i}: ${problem}`);
      }
    }
    const encoded = space.kind === 'discrete' ? Int32Array.from(actions) : Float32Array.from(actions);
    if (this.singleActionSpace.kind === 'discrete' && !encoded.every((a, i) => a === actions[i])) {
      throw new Error(`GymVectorEnv("${this.envId}").step: actions [${Array.from(actions).join(', ')}] must be integers for ${this.singleActionSpace}`);
    }
    this.server.send(Op.step, new Uint8Array(encoded.buffer));
    const result = this.readReply();
    this.reportEpisodes(result);
    return result;
  }

  /** Puts `{ r, l }` in the info of each copy whose whole episode (Atari: game) ended this step. */
  private reportEpisodes({ rewards, terminated, truncated, infos }: VectorStepResult): void {
    const scoresGames = this.server.hello.infoFields.f64.includes(GAME_SCORE);
    for (let i = 0; i < this.numEnvs; i++) {
      this.episodeSteps[i]++;
      this.episodeReturns[i] += rewards[i];
      const gameScore = infos[i][GAME_SCORE];
      const ended = scoresGames ? typeof gameScore === 'number' : terminated[i] === 1 || truncated[i] === 1;
      if (!ended) continue;
      infos[i].episode = { r: scoresGames ? gameScore : this.episodeReturns[i], l: this.episodeSteps[i] };
      this.episodeSteps[i] = 0;
      this.episodeReturns[i] = 0;
    }
  }

  /**
   * Replaces the server with a new process and resets every copy, seeded from the last reset's
   * seed if it had one; the episodes in progress are lost. For a server that died mid-run
   * (GymServerDiedError) or hangs.
   */
  restart(): { obs: Obs; infos: Info[] } {
    this.server.kill();
    this.hasReset = false;
    this.server = new EnvServerProcess(this.config);
    return this.reset(this.seedRng === null ? {} : { seed: this.seedRng.fork() });
  }

  /** Copy `index`'s last emulator frame as RGB bytes `[height, width, 3]` (Atari ids only). */
  renderRgb(index = 0): { rgb: Uint8Array; width: number; height: number } {
    const payload = new Uint8Array(INT32_BYTES);
    new DataView(payload.buffer).setInt32(0, index, true);
    this.server.send(Op.render, payload);
    const bytes = this.server.readReplyHeader();
    const dims = new Uint8Array(2 * INT32_BYTES);
    this.server.readInto(dims);
    const view = new DataView(dims.buffer);
    const height = view.getUint32(0, true);
    const width = view.getUint32(INT32_BYTES, true);
    const rgb = new Uint8Array(bytes);
    this.server.readInto(rgb);
    return { rgb, width, height };
  }

  /** One request/reply round trip with no env work: the transport's latency. */
  ping(): void {
    this.server.send(Op.ping);
    this.server.readReplyHeader();
  }

  close(): void {
    this.server.close();
  }

  toString(): string {
    return `GymVectorEnv(${this.envId}, numEnvs=${this.numEnvs})`;
  }

  private readReply(): VectorStepResult {
    const n = this.numEnvs;
    const numEnded = this.server.readReplyHeader();
    const obs = this.newObs(n);
    this.server.readInto(new Uint8Array(obs.buffer));
    const { f64, i32 } = this.server.hello.infoFields;
    const tail = new ArrayBuffer(n * (FLOAT64_BYTES * (1 + 2 * f64.length) + INT32_BYTES * 2 * i32.length + 2));
    this.server.readInto(new Uint8Array(tail));
    let offset = 0;
    const f64View = (): Float64Array => {
      const view = new Float64Array(tail, offset, n);
      offset += n * FLOAT64_BYTES;
      return view;
    };
    const i32View = (): Int32Array => {
      const view = new Int32Array(tail, offset, n);
      offset += n * INT32_BYTES;
      return view;
    };
    const u8View = (): Uint8Array => {
      const view = new Uint8Array(tail, offset, n);
      offset += n;
      return view;
    };
    // The order python/env_server.py writes them in (EnvBatch.reply_parts).
    const rewards = f64View();
    const stepF64 = f64.map(f64View);
    const resetF64 = f64.map(f64View);
    const stepI32 = i32.map(i32View);
    const resetI32 = i32.map(i32View);
    const terminated = u8View();
    const truncated = u8View();
    const infoOf = (i: number, f64Values: Float64Array[], i32Values: Int32Array[]): Info => {
      const info: Info = {};
      f64.forEach((name, k) => {
        if (!Number.isNaN(f64Values[k][i])) info[name] = f64Values[k][i];
      });
      i32.forEach((name, k) => (info[name] = i32Values[k][i]));
      return info;
    };
    const finalObs: (Obs | null)[] = [];
    const infos: Info[] = [];
    for (let i = 0; i < n; i++) {
      const info = infoOf(i, stepF64, stepI32);
      if (terminated[i] || truncated[i]) {
        const last = this.newObs(1);
        this.server.readInto(new Uint8Array(last.buffer));
        finalObs.push(last);
        info.resetInfo = infoOf(i, resetF64, resetI32);
      } else {
        finalObs.push(null);
      }
      infos.push(info);
    }
    const ended = finalObs.filter((o) => o !== null).length;
    if (ended !== numEnded) throw new Error(`gym env server for "${this.envId}" announced ${numEnded} ended copies and flagged ${ended}; the protocol is out of step`);
    return { obs, rewards, terminated, truncated, finalObs, infos };
  }

  /** Typed arrays are filled in host byte order, which is the protocol's little-endian on x86 and ARM. */
  private newObs(copies: number): Obs {
    const length = copies * this.singleObservationSpace.size;
    return this.singleObservationSpace.dtype === 'uint8' ? new Uint8Array(length) : new Float32Array(length);
  }
}

function checkBackend(envId: string, backend: AtariBackend): AtariBackend {
  if (!ATARI_BACKENDS.includes(backend)) throw new Error(`GymVectorEnv("${envId}"): atariBackend must be one of ${ATARI_BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`);
  return backend;
}
