/**
 * The parameters of a run over Redis as one agent host holds them (issue 21, "a tenth of the
 * traffic"): the host's agent threads each follow the trainer (redis-agent.ts) and say which
 * version they want; the host fetches each wanted version once, checks its HMAC and header, and
 * publishes it to all of them in a SharedArrayBuffer (SharedParams, the seqlock store the thread
 * transport uses), one store per trainer session. Each version thus crosses the network once per
 * host, not once per thread.
 */
import type { Redis } from 'ioredis';
import { paramsHeader, readParams, runKeys, type ParamsLayout } from './redis-protocol.js';
import type { RunSigner } from './run-secret.js';
import { SharedParams } from './shared-params.js';

/** What an agent thread asks of its host: version `version` (or newer) of trainer `session`'s parameters, laid out as its `init` says. */
export interface ParamsWant {
  session: string;
  version: number;
  layout: ParamsLayout;
}

/** The store of one trainer session's parameters, as the host hands it to its threads. */
export interface ParamsStore {
  session: string;
  buffer: SharedArrayBuffer;
}

export class HostParams {
  private readonly paramsKey: string;
  private store: { session: string; layout: ParamsLayout; params: SharedParams; scratch: Float32Array } | null = null;
  /** Sessions whose trainer was replaced: a thread that has not seen it yet cannot bring them back. */
  private readonly replaced = new Set<string>();
  /** The newest version of the current session a thread wants. */
  private wanted = 0;
  private fetching = false;
  /** Parameter blobs refused (their HMAC did not verify): the threads kept the version they had. */
  private refusals = 0;

  /**
   * @param cmd the host's own connection, for the fetches.
   * @param onStore hands a new session's store to every thread.
   * @param log lines for the user (refused parameters).
   */
  constructor(
    private readonly cmd: Redis,
    run: string,
    private readonly signer: RunSigner,
    private readonly onStore: (store: ParamsStore) => void,
    private readonly log: (line: string) => void,
  ) {
    this.paramsKey = runKeys(run).params;
  }

  /** The current session's store, for a thread that starts now; null before any thread wanted parameters. */
  get current(): ParamsStore | null {
    return this.store === null ? null : { session: this.store.session, buffer: this.store.params.buffer };
  }

  /** A thread wants `want`: a new session gets a new store (handed to every thread), and a version newer than the one held is fetched. */
  want(want: ParamsWant): void {
    if (this.replaced.has(want.session)) return;
    if (this.store?.session !== want.session) {
      if (this.store !== null) this.replaced.add(this.store.session);
      const { numParams } = want.layout;
      this.store = { session: want.session, layout: want.layout, params: SharedParams.create(numParams), scratch: new Float32Array(numParams) };
      this.wanted = 0;
      this.onStore(this.current!);
    }
    this.wanted = Math.max(this.wanted, want.version);
    void this.fetch();
  }

  /**
   * GETs `params` while a newer version than the one held is wanted, one GET at a time; stops
   * when a GET brought no newer version and no thread asked for one meanwhile (the next want
   * tries again).
   */
  private async fetch(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      while (this.store !== null && this.store.params.version < this.wanted) {
        const asked = this.wanted;
        const blob = await this.cmd.getBuffer(this.paramsKey).catch(() => null);
        if (blob !== null) this.take(blob);
        if (this.wanted === asked && (this.store?.params.version ?? 0) < asked) break;
      }
    } finally {
      this.fetching = false;
    }
  }

  /** Publishes a fetched blob to the threads when its HMAC verifies and it is a newer version of the current session. */
  private take(blob: Buffer): void {
    const store = this.store!;
    const opened = this.signer.open('params', blob);
    if (!opened.ok) {
      this.refusals++;
      // The first, then the 10th, 100th, ...: someone writing parameters in a loop cannot flood the log.
      if (Number.isInteger(Math.log10(this.refusals))) {
        this.log(`refused parameters in Redis (${this.refusals} so far): ${opened.problem}; keeping version ${store.params.version || 'none'}`);
      }
      return;
    }
    const header = paramsHeader(opened.payload, store.layout);
    if (header === null || header.session !== store.session || !Number.isInteger(header.version) || header.version <= store.params.version) return;
    readParams(opened.payload, store.layout, store.scratch);
    store.params.publish(store.scratch, header.version);
  }
}
