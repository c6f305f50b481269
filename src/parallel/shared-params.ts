/**
 * Network parameters in a SharedArrayBuffer, written by the trainer and read by every agent,
 * guarded by a sequence lock: the writer makes the sequence odd while it copies, readers retry
 * when they saw an odd or changed sequence, so nobody reads half an update published this way.
 * `version` counts updates (the provenance agents attach to what they send). Lock-free writers
 * (Hogwild) update `values` in place and count with `bumpVersion` instead.
 */
import type { SharedMemory } from './transport.js';

const SEQUENCE = 0;
const VERSION = 1;
const HEADER_INTS = 2;
const HEADER_BYTES = HEADER_INTS * Int32Array.BYTES_PER_ELEMENT;

export class SharedParams {
  private readonly header: Int32Array;
  private readonly params: Float32Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.params = new Float32Array(buffer, HEADER_BYTES);
  }

  static create(numParams: number): SharedParams {
    return new SharedParams(new SharedArrayBuffer(HEADER_BYTES + numParams * Float32Array.BYTES_PER_ELEMENT));
  }

  /** Attaches to a buffer made by `create` in another thread. */
  static attach(buffer: SharedArrayBuffer): SharedParams {
    return new SharedParams(buffer);
  }

  get numParams(): number {
    return this.params.length;
  }

  get version(): number {
    return Atomics.load(this.header, VERSION);
  }

  /**
   * The parameters themselves, for lock-free writers (Hogwild): a reader may see some of a
   * concurrent update, by design.
   */
  get values(): Float32Array {
    return this.params;
  }

  /** Counts one update a lock-free writer made to `values`; returns the new version. */
  bumpVersion(): number {
    return Atomics.add(this.header, VERSION, 1) + 1;
  }

  /**
   * Publishes new parameters (single writer) as version `version`: by default the next one; a
   * writer that mirrors another's versions (a Redis agent host, redis-host-params.ts) gives its own.
   */
  publish(values: Float32Array, version?: number): number {
    if (values.length !== this.params.length) {
      throw new Error(`SharedParams.publish: got ${values.length} parameters, the buffer holds ${this.params.length}`);
    }
    Atomics.add(this.header, SEQUENCE, 1);
    this.params.set(values);
    Atomics.add(this.header, SEQUENCE, 1);
    if (version === undefined) return Atomics.add(this.header, VERSION, 1) + 1;
    Atomics.store(this.header, VERSION, version);
    return version;
  }

  /** Copies a consistent snapshot into `out`; returns its version. */
  read(out: Float32Array): number {
    for (;;) {
      const before = Atomics.load(this.header, SEQUENCE);
      if (before % 2 === 1) continue;
      const version = Atomics.load(this.header, VERSION);
      out.set(this.params);
      if (Atomics.load(this.header, SEQUENCE) === before) return version;
    }
  }
}

/** Shared memory over `params` and the named SharedArrayBuffers, in any thread. */
export function sharedMemoryOf(params: SharedParams, arrays: Record<string, SharedArrayBuffer>): SharedMemory {
  return {
    params: params.values,
    array(name) {
      const buffer = arrays[name];
      if (buffer === undefined) throw new Error(`no shared array "${name}"; shared: ${Object.keys(arrays).join(', ') || 'none'}`);
      return new Float32Array(buffer);
    },
    bumpVersion: () => params.bumpVersion(),
  };
}
