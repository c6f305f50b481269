import type { Obs } from '../../envs/core.js';
import { firstOutOfBounds, MAX_ABS_INPUT, MAX_ABS_RETURN } from './input-bounds.js';

export type ObsDtype = 'float32' | 'uint8';

/**
 * How a batch holds its actions: a discrete action is one int32 index in [0, n); a Box action is
 * `size` float32 numbers, the policy's unclipped sample (the env stepped with it clipped).
 */
export type ActionLayout = { kind: 'discrete'; n: number } | { kind: 'box'; size: number };

/**
 * Transitions ready for the actor-critic loss, in flat typed arrays that can be transferred
 * between threads: `obs` is `[size, obsSize]`, `actions` `[size]` (Int32Array, discrete) or
 * `[size, actDim]` (Float32Array, Box), `valueTargets` `[size]` the returns already bootstrapped
 * with V: first-last n-step returns (Lapan's `vals_ref`), or forward-view returns / GAE advantages
 * plus V(s_t) (forward-view.ts).
 */
export interface TransitionArrays {
  size: number;
  obsSize: number;
  obs: Obs;
  actions: Int32Array | Float32Array;
  valueTargets: Float32Array;
  /**
   * `[size]`: 1 where the row's observation is the first of an episode (after a reset), else 0
   * (SB3's `episode_starts`). Forward-view rollouts carry it, time-major, for recurrent
   * policies; first-last windows have no order and leave it out.
   */
  episodeStarts?: Uint8Array;
  /** A recurrent policy's rollouts: their layout and the LSTM states they start from (sequences.ts). */
  sequences?: SequenceLayout;
}

/** How a recurrent rollout's rows are laid out (sequences.ts), and where its LSTM started. */
export interface SequenceLayout {
  /** Consecutive steps per env copy (nSteps): rows are time-major, row t * S + i copy i's step t. */
  steps: number;
  /** `[S, 2 cells]`: each copy's LSTM state (h, then c) before its first step. */
  initialState: Float32Array;
}

export interface TransitionBatchOptions {
  /** Hold an episode-start flag per row (TransitionArrays.episodeStarts); default false. */
  readonly episodeStarts?: boolean;
  /** Rows allocated at first; the buffer doubles when full. Default DEFAULT_INITIAL_CAPACITY. */
  readonly initialCapacity?: number;
}

const DEFAULT_INITIAL_CAPACITY = 64;

/** Numbers per action row: 1 for a discrete index, the Box's size otherwise. */
export function actionSizeOf(layout: ActionLayout): number {
  return layout.kind === 'discrete' ? 1 : layout.size;
}

/** A growable buffer of transitions; agents take fixed-size batches off its front. */
export class TransitionBatch {
  size = 0;
  private capacity: number;
  private obs: Obs;
  private actions: Int32Array | Float32Array;
  private valueTargets: Float32Array;
  /** Episode-start flags, or null where the batch holds none. */
  private episodeStarts: Uint8Array | null;
  /** Numbers per action row. */
  private readonly actionSize: number;

  constructor(
    readonly obsSize: number,
    readonly dtype: ObsDtype,
    readonly actionLayout: ActionLayout,
    { episodeStarts = false, initialCapacity = DEFAULT_INITIAL_CAPACITY }: TransitionBatchOptions = {},
  ) {
    this.capacity = initialCapacity;
    this.actionSize = actionSizeOf(actionLayout);
    this.obs = this.allocObs(initialCapacity);
    this.actions = this.allocActions(initialCapacity);
    this.valueTargets = new Float32Array(initialCapacity);
    this.episodeStarts = episodeStarts ? new Uint8Array(initialCapacity) : null;
  }

  private allocObs(rows: number): Obs {
    return this.dtype === 'uint8' ? new Uint8Array(rows * this.obsSize) : new Float32Array(rows * this.obsSize);
  }

  private allocActions(rows: number): Int32Array | Float32Array {
    return this.actionLayout.kind === 'discrete' ? new Int32Array(rows) : new Float32Array(rows * this.actionSize);
  }

  /**
   * `action`: the index of a discrete action, or the `actDim` numbers of a Box action;
   * `episodeStart`: whether `obs` is the first of an episode, given exactly when the batch holds
   * episode starts.
   * @throws Error when `episodeStart` is given to a batch without episode starts, or missing from one with them.
   */
  push(obs: Obs, action: number | ArrayLike<number>, valueTarget: number, episodeStart?: boolean): void {
    if ((episodeStart === undefined) !== (this.episodeStarts === null)) {
      throw new Error(`TransitionBatch.push: the batch holds ${this.episodeStarts === null ? 'no episode starts; push none' : 'episode starts; push one per row'}`);
    }
    if (this.size === this.capacity) this.grow();
    this.obs.set(obs, this.size * this.obsSize);
    if (typeof action === 'number') this.actions[this.size] = action;
    else this.actions.set(action, this.size * this.actionSize);
    this.valueTargets[this.size] = valueTarget;
    if (this.episodeStarts !== null) this.episodeStarts[this.size] = episodeStart ? 1 : 0;
    this.size++;
  }

  private grow(): void {
    this.capacity *= 2;
    const obs = this.allocObs(this.capacity);
    obs.set(this.obs);
    this.obs = obs;
    const actions = this.allocActions(this.capacity);
    actions.set(this.actions);
    this.actions = actions;
    const valueTargets = new Float32Array(this.capacity);
    valueTargets.set(this.valueTargets);
    this.valueTargets = valueTargets;
    if (this.episodeStarts !== null) {
      const episodeStarts = new Uint8Array(this.capacity);
      episodeStarts.set(this.episodeStarts);
      this.episodeStarts = episodeStarts;
    }
  }

  /** Removes the first `count` rows and returns them as fresh (transferable) arrays. */
  take(count: number): TransitionArrays {
    if (count > this.size) throw new Error(`TransitionBatch: asked for ${count} rows, holding ${this.size}`);
    const o = this.obsSize;
    const a = this.actionSize;
    const taken: TransitionArrays = {
      size: count,
      obsSize: o,
      obs: this.obs.slice(0, count * o),
      actions: this.actions.slice(0, count * a),
      valueTargets: this.valueTargets.slice(0, count),
    };
    this.obs.copyWithin(0, count * o, this.size * o);
    this.actions.copyWithin(0, count * a, this.size * a);
    this.valueTargets.copyWithin(0, count, this.size);
    if (this.episodeStarts !== null) {
      taken.episodeStarts = this.episodeStarts.slice(0, count);
      this.episodeStarts.copyWithin(0, count, this.size);
    }
    this.size -= count;
    return taken;
  }
}

/** A value's type, or the number itself, for messages about work that failed a check. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<number>).length ?? v.byteLength}`;
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * Why `work` is not `rows` transitions with observations of `obsSize` values (uint8, or float32
 * within MAX_ABS_INPUT), actions as `actions` lays them out (indices in [0, n), or Box samples
 * within MAX_ABS_INPUT), value targets within MAX_ABS_RETURN and, where it has them, `rows`
 * episode-start flags of 0 or 1, or null when it is.
 */
export function transitionsProblem(work: unknown, rows: number, obsSize: number, actions: ActionLayout): string | null {
  if (typeof work !== 'object' || work === null) return `transitions: expected an object, got ${describeValue(work)}`;
  const t = work as Partial<Record<keyof TransitionArrays, unknown>>;
  if (t.size !== rows) return `transitions: size ${describeValue(t.size)}, expected ${rows}`;
  if (t.obsSize !== obsSize) return `transitions: obsSize ${describeValue(t.obsSize)}, expected ${obsSize}`;
  if (!(t.obs instanceof Float32Array || t.obs instanceof Uint8Array) || t.obs.length !== rows * obsSize) {
    return `transitions: obs is ${describeValue(t.obs)}, expected a Float32Array or Uint8Array of ${rows * obsSize}`;
  }
  if (t.obs instanceof Float32Array) {
    const bad = firstOutOfBounds(t.obs, MAX_ABS_INPUT);
    if (bad >= 0) return `transitions: observation value ${t.obs[bad]} in row ${Math.floor(bad / obsSize)} is not a finite number within ±${MAX_ABS_INPUT}`;
  }
  if (!(t.valueTargets instanceof Float32Array) || t.valueTargets.length !== rows) return `transitions: valueTargets is ${describeValue(t.valueTargets)}, expected a Float32Array of ${rows}`;
  const badTarget = firstOutOfBounds(t.valueTargets, MAX_ABS_RETURN);
  if (badTarget >= 0) return `transitions: value target ${t.valueTargets[badTarget]} in row ${badTarget} is not a finite number within ±${MAX_ABS_RETURN}`;
  if (t.episodeStarts !== undefined) {
    if (!(t.episodeStarts instanceof Uint8Array) || t.episodeStarts.length !== rows) return `transitions: episodeStarts is ${describeValue(t.episodeStarts)}, expected a Uint8Array of ${rows}`;
    const bad = t.episodeStarts.findIndex((s) => s > 1);
    if (bad >= 0) return `transitions: episodeStarts ${t.episodeStarts[bad]} in row ${bad} is not 0 or 1`;
  }
  if (actions.kind === 'box') {
    const length = rows * actions.size;
    if (!(t.actions instanceof Float32Array) || t.actions.length !== length) return `transitions: actions is ${describeValue(t.actions)}, expected a Float32Array of ${length} (${rows} x ${actions.size})`;
    const bad = firstOutOfBounds(t.actions, MAX_ABS_INPUT);
    return bad < 0 ? null : `transitions: action value ${t.actions[bad]} in row ${Math.floor(bad / actions.size)} is not a finite number within ±${MAX_ABS_INPUT}`;
  }
  if (!(t.actions instanceof Int32Array) || t.actions.length !== rows) return `transitions: actions is ${describeValue(t.actions)}, expected an Int32Array of ${rows}`;
  const bad = t.actions.findIndex((a) => a < 0 || a >= actions.n);
  return bad < 0 ? null : `transitions: action ${t.actions[bad]} in row ${bad} is outside [0, ${actions.n})`;
}

/**
 * Concatenates batches of one obs size and dtype; the result has episode starts when every part
 * has them.
 */
export function concatTransitions(parts: TransitionArrays[]): TransitionArrays {
  if (parts.length === 1) return parts[0];
  const size = parts.reduce((s, p) => s + p.size, 0);
  const obsSize = parts[0].obsSize;
  const obs = parts[0].obs instanceof Uint8Array ? new Uint8Array(size * obsSize) : new Float32Array(size * obsSize);
  const actionSize = parts[0].actions.length / parts[0].size;
  const actions = parts[0].actions instanceof Float32Array ? new Float32Array(size * actionSize) : new Int32Array(size);
  const valueTargets = new Float32Array(size);
  const episodeStarts = parts.every((p) => p.episodeStarts !== undefined) ? new Uint8Array(size) : undefined;
  let row = 0;
  for (const p of parts) {
    obs.set(p.obs, row * obsSize);
    actions.set(p.actions, row * actionSize);
    valueTargets.set(p.valueTargets, row);
    episodeStarts?.set(p.episodeStarts!, row);
    row += p.size;
  }
  return { size, obsSize, obs, actions, valueTargets, ...(episodeStarts && { episodeStarts }) };
}
