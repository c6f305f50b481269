import type { Action, Env } from './core.js';
import type { Box, Space } from './spaces.js';
import { NumpyGenerator } from '../utils/numpy-random.js';

/**
 * The generator an env draws from after `reset({seed})`, as Gymnasium's `Env.reset`: a seed gives a
 * fresh `seeding.np_random(seed)` (numpy's PCG64, so the env's draws are Gymnasium's), no seed keeps
 * the current stream.
 * @throws Error naming the env when the seed is not a non-negative safe integer (Gymnasium's `np_random` check).
 */
export function rngForReset(envId: string, current: NumpyGenerator, seed: number | undefined): NumpyGenerator {
  if (seed === undefined) return current;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`${envId}.reset: seed must be a non-negative integer, got ${seed}`);
  return new NumpyGenerator(seed);
}

export function formatAction(action: unknown): string {
  if (typeof action === 'number') return String(action);
  if (action !== null && typeof action === 'object' && typeof (action as ArrayLike<unknown>).length === 'number') {
    return `[${Array.from(action as ArrayLike<unknown>, String).join(', ')}]`;
  }
  return typeof action === 'string' ? JSON.stringify(action) : String(action);
}

/**
 * Why `action` cannot step an env with action space `space`, or null: a Box action with a NaN or
 * infinite number (even in an unbounded Box: physics would only spread it), or any action outside
 * the space (of the wrong length, out of bounds, not an index).
 */
export function actionProblem(space: Space, action: Action): string | null {
  if (space.kind === 'box' && typeof action !== 'number' && action.length === space.size && !Array.prototype.every.call(action, (v: number) => Number.isFinite(v))) {
    return `action ${formatAction(action)} is not finite`;
  }
  return space.contains(action) ? null : `action ${formatAction(action)} is not in the action space ${space}`;
}

/** Throws an Error naming the env unless `action` can step it (actionProblem). */
export function checkAction(env: Env, action: Action): void {
  const problem = actionProblem(env.actionSpace, action);
  if (problem !== null) throw new Error(`${env.id}.step: ${problem}`);
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

/**
 * A broken env contract found by the env checker (Gymnasium's passive env checker): the message is
 * one line naming the env id, the method, the field, what was expected and what came.
 */
export class EnvCheckError extends Error {
  override name = 'EnvCheckError';
}

const RESET_FIELDS = ['obs', 'info'] as const;
const STEP_FIELDS = ['obs', 'reward', 'terminated', 'truncated', 'info'] as const;
/** Elements of an array shown in a message before `...`. */
const SHOWN_ELEMENTS = 8;

/** A short one-line rendering of any value, for the checker's messages: `Float32Array [1, 2]`, `{ observation, info }`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = value as ArrayLike<unknown>;
    const shown = Array.prototype.slice
      .call(items, 0, SHOWN_ELEMENTS)
      .map((v: unknown) => (v !== null && typeof v === 'object' ? '...' : describeValue(v)));
    const more = items.length > SHOWN_ELEMENTS ? ', ...' : '';
    const name = Array.isArray(value) ? 'Array' : value.constructor.name;
    return `${name}(${items.length}) [${shown.join(', ')}${more}]`;
  }
  if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
  const proto: unknown = Object.getPrototypeOf(value);
  const className = proto === Object.prototype || proto === null ? '' : `${(value as object).constructor?.name ?? 'object'} `;
  const keys = Object.keys(value);
  return keys.length === 0 ? `${className}{}` : `${className}{ ${keys.join(', ')} }`;
}

/**
 * Throws EnvCheckError unless `env` has the Env contract's shape: a string `id`, `reset`, `step` and
 * `close` methods, a Box observation space and a Discrete or Box action space (checked by their
 * `kind`, so spaces from another copy of this package pass). `envId` is the id it was made under.
 */
export function checkEnvShape(envId: string, env: unknown): void {
  const fail = (what: string, expected: string, got: unknown): never => {
    throw new EnvCheckError(`env "${envId}": ${what} is ${describeValue(got)}; expected ${expected}`);
  };
  if (env === null || typeof env !== 'object') fail('the env made', 'an object implementing Env (id, observationSpace, actionSpace, reset, step, close)', env);
  const e = env as Record<string, unknown>;
  if (typeof e.id !== 'string') fail('id', 'a string', e.id);
  for (const method of ['reset', 'step', 'close']) {
    if (typeof e[method] !== 'function') fail(method, 'a method', e[method]);
  }
  const obsSpace = e.observationSpace as { kind?: unknown } | undefined;
  if (obsSpace?.kind !== 'box') fail('observationSpace', 'a Box', obsSpace);
  const actionSpace = e.actionSpace as { kind?: unknown } | undefined;
  if (actionSpace?.kind !== 'discrete' && actionSpace?.kind !== 'box') fail('actionSpace', 'a Discrete or a Box', actionSpace);
}

/** Throws EnvCheckError unless `result` is `{ obs, info }` with `obs` in the env's observation space. */
export function checkResetResult(envId: string, space: Box, result: unknown): void {
  const fields = checkFields(envId, 'reset', RESET_FIELDS, result);
  checkObs(envId, 'reset', space, fields.obs);
  checkInfo(envId, 'reset', fields.info);
}

/**
 * Throws EnvCheckError unless `result` is `{ obs, reward, terminated, truncated, info }` with `obs`
 * in the env's observation space, a finite number `reward` and boolean `terminated` and `truncated`.
 */
export function checkStepResult(envId: string, space: Box, result: unknown): void {
  const fields = checkFields(envId, 'step', STEP_FIELDS, result);
  checkObs(envId, 'step', space, fields.obs);
  if (typeof fields.reward !== 'number' || !Number.isFinite(fields.reward)) {
    throw fieldError(envId, 'step', 'reward', describeValue(fields.reward), 'a finite number');
  }
  for (const flag of ['terminated', 'truncated'] as const) {
    if (typeof fields[flag] !== 'boolean') throw fieldError(envId, 'step', flag, describeValue(fields[flag]), 'a boolean');
  }
  checkInfo(envId, 'step', fields.info);
}

function fieldError(envId: string, method: string, field: string, got: string, expected: string): EnvCheckError {
  return new EnvCheckError(`env "${envId}": ${method}() returned "${field}" ${got}; expected ${expected}`);
}

function checkFields(envId: string, method: string, fields: readonly string[], result: unknown): Record<string, unknown> {
  const shape = `{ ${fields.join(', ')} }`;
  const got = describeValue(result);
  if (result === null || typeof result !== 'object' || Array.isArray(result) || got === 'a Promise') {
    const hint = got === 'a Promise' ? ` (${method}() must return synchronously)` : '';
    throw new EnvCheckError(`env "${envId}": ${method}() returned ${got}; expected ${shape}${hint}`);
  }
  const missing = fields.find((field) => !(field in result));
  if (missing !== undefined) {
    throw new EnvCheckError(`env "${envId}": ${method}() returned no "${missing}" field; expected ${shape}, got ${got}`);
  }
  return result as Record<string, unknown>;
}

function checkObs(envId: string, method: string, space: Box, obs: unknown): void {
  const arrayType = space.dtype === 'uint8' ? Uint8Array : Float32Array;
  if (!(obs instanceof arrayType) || obs.length !== space.size) {
    throw fieldError(envId, method, 'obs', describeValue(obs), `a ${arrayType.name} of length ${space.size} for ${space}`);
  }
  for (let i = 0; i < obs.length; i++) {
    // A NaN fails both comparisons.
    if (!(obs[i] >= space.low[i] && obs[i] <= space.high[i])) {
      const got = `${describeValue(obs)} with obs[${i}] = ${obs[i]} outside [${space.low[i]}, ${space.high[i]}]`;
      throw fieldError(envId, method, 'obs', got, `an observation in ${space}`);
    }
  }
}

function checkInfo(envId: string, method: string, info: unknown): void {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw fieldError(envId, method, 'info', describeValue(info), 'an object');
}
