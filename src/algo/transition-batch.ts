import type { Obs } from '../envs/core.js';

export type ObsDtype = 'float32' | 'uint8';

/**
 * First-last n-step transitions ready for the actor-critic loss, in flat typed arrays that can be
 * transferred between threads: `obs` is `[size, obsSize]`, `valueTargets` the n-step return already
 * bootstrapped with gamma^k V(s_k) (Lapan's `vals_ref`).
 */
export interface TransitionArrays {
  size: number;
  obsSize: number;
  obs: Obs;
  actions: Int32Array;
  valueTargets: Float32Array;
}

/** A growable buffer of transitions; agents take fixed-size batches off its front. */
export class TransitionBatch {
  size = 0;
  private capacity: number;
  private obs: Obs;
  private actions: Int32Array;
  private valueTargets: Float32Array;

  constructor(
    readonly obsSize: number,
    readonly dtype: ObsDtype,
    initialCapacity = 64,
  ) {
    this.capacity = initialCapacity;
    this.obs = this.allocObs(initialCapacity);
    this.actions = new Int32Array(initialCapacity);
    this.valueTargets = new Float32Array(initialCapacity);
  }

  private allocObs(rows: number): Obs {
    return this.dtype === 'uint8' ? new Uint8Array(rows * this.obsSize) : new Float32Array(rows * this.obsSize);
  }

  push(obs: Obs, action: number, valueTarget: number): void {
    if (this.size === this.capacity) this.grow();
    this.obs.set(obs, this.size * this.obsSize);
    this.actions[this.size] = action;
    this.valueTargets[this.size] = valueTarget;
    this.size++;
  }

  private grow(): void {
    this.capacity *= 2;
    const obs = this.allocObs(this.capacity);
    obs.set(this.obs);
    this.obs = obs;
    const actions = new Int32Array(this.capacity);
    actions.set(this.actions);
    this.actions = actions;
    const valueTargets = new Float32Array(this.capacity);
    valueTargets.set(this.valueTargets);
    this.valueTargets = valueTargets;
  }

  /** Removes the first `count` rows and returns them as fresh (transferable) arrays. */
  take(count: number): TransitionArrays {
    if (count > this.size) throw new Error(`TransitionBatch: asked for ${count} rows, holding ${this.size}`);
    const o = this.obsSize;
    const taken: TransitionArrays = {
      size: count,
      obsSize: o,
      obs: this.obs.slice(0, count * o),
      actions: this.actions.slice(0, count),
      valueTargets: this.valueTargets.slice(0, count),
    };
    this.obs.copyWithin(0, count * o, this.size * o);
    this.actions.copyWithin(0, count, this.size);
    this.valueTargets.copyWithin(0, count, this.size);
    this.size -= count;
    return taken;
  }
}

/** Concatenates batches of one obs size and dtype. */
export function concatTransitions(parts: TransitionArrays[]): TransitionArrays {
  if (parts.length === 1) return parts[0];
  const size = parts.reduce((s, p) => s + p.size, 0);
  const obsSize = parts[0].obsSize;
  const obs = parts[0].obs instanceof Uint8Array ? new Uint8Array(size * obsSize) : new Float32Array(size * obsSize);
  const actions = new Int32Array(size);
  const valueTargets = new Float32Array(size);
  let row = 0;
  for (const p of parts) {
    obs.set(p.obs, row * obsSize);
    actions.set(p.actions, row);
    valueTargets.set(p.valueTargets, row);
    row += p.size;
  }
  return { size, obsSize, obs, actions, valueTargets };
}
