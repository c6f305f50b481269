import type { Action, Env } from './core.js';
import { Rng } from '../utils/rng.js';

/**
 * The Rng an env uses after `reset({seed})`: a fresh stream when a seed is given, else the current
 * one, as Gymnasium's `Env.reset` reseeds `np_random` only when given a seed.
 */
export function rngForReset(envId: string, current: Rng, seed: number | undefined): Rng {
  if (seed === undefined) return current;
  // Gymnasium's seeding.np_random accepts only non-negative integers.
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`${envId}.reset: seed must be a non-negative integer, got ${seed}`);
  return new Rng(seed);
}

export function formatAction(action: unknown): string {
  if (typeof action === 'number') return String(action);
  if (action !== null && typeof action === 'object' && typeof (action as ArrayLike<unknown>).length === 'number') {
    return `[${Array.from(action as ArrayLike<unknown>, String).join(', ')}]`;
  }
  return typeof action === 'string' ? JSON.stringify(action) : String(action);
}

/** Throws unless `action` lies in the env's action space. */
export function checkAction(env: Env, action: Action): void {
  if (!env.actionSpace.contains(action)) {
    throw new Error(`${env.id}.step: action ${formatAction(action)} is not in the action space ${env.actionSpace}`);
  }
}

export function stepBeforeResetError(envId: string): Error {
  return new Error(`${envId}.step: called before reset(); call reset() first`);
}

/** Copies `value` into an env's state array after checking its length. */
export function assignState(envId: string, target: Float64Array, value: ArrayLike<number>, layout: string): void {
  if (value.length !== target.length) {
    throw new Error(`${envId}: state has ${value.length} elements, expected ${target.length} (${layout})`);
  }
  for (let i = 0; i < target.length; i++) target[i] = value[i];
}
