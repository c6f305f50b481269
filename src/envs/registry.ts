import { AcrobotEnv } from './classic-control/acrobot.js';
import { CartPoleEnv, type CartPoleOptions } from './classic-control/cart-pole.js';
import { MountainCarContinuousEnv, type MountainCarContinuousOptions } from './classic-control/mountain-car-continuous.js';
import { MountainCarEnv, type MountainCarOptions } from './classic-control/mountain-car.js';
import { PendulumEnv, type PendulumOptions } from './classic-control/pendulum.js';
import type { Env, VectorEnv } from './core.js';
import { SyncVectorEnv } from './vector-env.js';
import { MaskVelocity, PassiveEnvChecker, RecordEpisodeStatistics, TimeLimit } from './wrappers.js';

/** What Gymnasium's `EnvSpec` says about an id that agents need. */
export interface EnvSpec {
  readonly id: string;
  /** Steps after which `make` truncates an episode (TimeLimit), or null for no limit. */
  readonly maxEpisodeSteps: number | null;
  /** Return at which the env counts as solved, or null where Gymnasium sets none. */
  readonly rewardThreshold: number | null;
}

/** The type each env option must have; `make` refuses options an env does not declare. */
export type OptionKind = 'boolean' | 'number';

export interface EnvRegistration {
  id: string;
  maxEpisodeSteps?: number | null;
  rewardThreshold?: number | null;
  /** Options `make` passes on to `entryPoint`, by name (Gymnasium's env kwargs, camelCased). */
  optionKinds?: Readonly<Record<string, OptionKind>>;
  entryPoint(options: Record<string, unknown>): Env;
}

/** A set of ids recognised by pattern, e.g. the Atari bridge's `ALE/<Game>-v5`, which makes its own envs. */
export interface EnvFamily {
  name: string;
  matches(id: string): boolean;
  /**
   * Receives every option given to `make`, `maxEpisodeSteps` included. The env reports each whole
   * episode in `info.episode` (`{ r, l }`) on the step that ends it, as RecordEpisodeStatistics
   * (see makeMonitored).
   */
  make(id: string, options: Record<string, unknown>): Env;
  /** N copies stepped together, where the family can do better than N separate envs (one server); reporting as `make`. */
  makeVector?(id: string, numEnvs: number, options: Record<string, unknown>): VectorEnv;
  spec?(id: string): EnvSpec;
}

/** The option `make` handles itself, overriding the registered step limit as Gymnasium's `max_episode_steps`. */
const MAX_EPISODE_STEPS_OPTION = 'maxEpisodeSteps';

const registrations = new Map<string, EnvRegistration>();
const families: EnvFamily[] = [];

/** Adds an id; registering the same registration again does nothing, another one under a taken id throws. */
export function registerEnv(registration: EnvRegistration): void {
  const existing = registrations.get(registration.id);
  if (existing === registration) return;
  if (existing !== undefined) throw new Error(`registerEnv: env "${registration.id}" is already registered`);
  registrations.set(registration.id, registration);
}

/** Adds a family; registering the same family again does nothing, another one under a taken name throws. */
export function registerEnvFamily(family: EnvFamily): void {
  const existing = families.find((f) => f.name === family.name);
  if (existing === family) return;
  if (existing !== undefined) throw new Error(`registerEnvFamily: family "${family.name}" is already registered`);
  families.push(family);
}

/** Registered ids, sorted; ids that only a family recognises are not listed. */
export function listEnvIds(): string[] {
  return [...registrations.keys()].sort();
}

export function envSpec(id: string): EnvSpec {
  const registration = registrations.get(id);
  if (registration !== undefined) {
    return { id, maxEpisodeSteps: registration.maxEpisodeSteps ?? null, rewardThreshold: registration.rewardThreshold ?? null };
  }
  const family = families.find((f) => f.matches(id));
  if (family !== undefined) return family.spec?.(id) ?? { id, maxEpisodeSteps: null, rewardThreshold: null };
  throw unknownIdError(id);
}

/**
 * Builds the env registered under `id` as Gymnasium's `make`: inside PassiveEnvChecker (its first
 * reset and step are checked against the Env contract, a violation throws a one-line EnvCheckError),
 * then TimeLimit where it has a step limit. Options are the env's own (e.g. `{ g: 9.81 }` for
 * Pendulum-v1) plus `maxEpisodeSteps`. A family's envs come as the family makes them.
 */
export function make(id: string, options: Record<string, unknown> = {}): Env {
  const registration = registrations.get(id);
  if (registration === undefined) {
    const family = families.find((f) => f.matches(id));
    if (family !== undefined) return family.make(id, options);
    throw unknownIdError(id);
  }
  const { [MAX_EPISODE_STEPS_OPTION]: maxEpisodeSteps, ...envOptions } = options;
  checkOptions(id, envOptions, registration.optionKinds ?? {});
  const env = new PassiveEnvChecker(registration.entryPoint(envOptions), id);
  if (maxEpisodeSteps !== undefined) {
    if (typeof maxEpisodeSteps !== 'number' || !Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new Error(`make("${id}"): option ${MAX_EPISODE_STEPS_OPTION} must be a positive integer, got ${JSON.stringify(maxEpisodeSteps)}`);
    }
    return new TimeLimit(env, maxEpisodeSteps);
  }
  const registeredLimit = registration.maxEpisodeSteps ?? null;
  return registeredLimit === null ? env : new TimeLimit(env, registeredLimit);
}

/**
 * `make(id, options)` reporting each whole episode in `info.episode` (`{ r, l }`: raw return and
 * length) on the step that ends it, as Stable-Baselines3's Monitor: what training and evaluation
 * report, whatever training wrappers do to rewards and episode ends. Registered envs get
 * RecordEpisodeStatistics; a family's envs report whole episodes themselves (the Atari bridge:
 * whole games, below its episodic-life and reward-clipping wrappers).
 */
export function makeMonitored(id: string, options: Record<string, unknown> = {}): Env {
  return registrations.has(id) ? new RecordEpisodeStatistics(make(id, options)) : make(id, options);
}

/**
 * `numEnvs` copies of `makeMonitored(id, options)` stepped together (Gymnasium's `make_vec` in
 * sync mode); each copy's `infos[i].episode` reports its whole episodes.
 */
export function makeVectorEnv(id: string, numEnvs: number, options: Record<string, unknown> = {}): VectorEnv {
  const family = registrations.has(id) ? undefined : families.find((f) => f.matches(id));
  if (family?.makeVector) return family.makeVector(id, numEnvs, options);
  return new SyncVectorEnv(numEnvs, () => makeMonitored(id, options));
}

function checkOptions(id: string, options: Record<string, unknown>, kinds: Readonly<Record<string, OptionKind>>): void {
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kind = kinds[name];
    if (kind === undefined) {
      const accepted = [MAX_EPISODE_STEPS_OPTION, ...Object.keys(kinds)].join(', ');
      throw new Error(`make("${id}"): unknown option "${name}"; accepted options: ${accepted}`);
    }
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) {
      throw new Error(`make("${id}"): option ${name} must be a finite ${kind}, got ${JSON.stringify(value)}`);
    }
  }
}

function unknownIdError(id: string): Error {
  const ids = listEnvIds();
  const suggestion = closestId(id, ids);
  const didYouMean = suggestion === null ? ';' : `; did you mean "${suggestion}"?`;
  const familyNote = families.length === 0 ? '' : `; or an id of the families: ${families.map((f) => f.name).join(', ')}`;
  return new Error(`unknown env "${id}"${didYouMean} known ids: ${ids.join(', ')}${familyNote}`);
}

/**
 * The registered id nearest to `id` by case-insensitive edit distance, or null when none is close
 * (Gymnasium suggests near matches through difflib). Ties go to the id sorting last: the newest version.
 */
function closestId(id: string, ids: readonly string[]): string | null {
  const maxDistance = Math.max(2, Math.floor(id.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of ids) {
    const distance = editDistance(id.toLowerCase(), candidate.toLowerCase());
    if (distance <= bestDistance && distance <= maxDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

// Gymnasium 1.3.0's classic-control registrations (gymnasium/envs/__init__.py).
registerEnv({
  id: 'CartPole-v0',
  maxEpisodeSteps: 200,
  rewardThreshold: 195.0,
  optionKinds: { suttonBartoReward: 'boolean' },
  entryPoint: (options) => new CartPoleEnv('CartPole-v0', options as CartPoleOptions),
});
registerEnv({
  id: 'CartPole-v1',
  maxEpisodeSteps: 500,
  rewardThreshold: 475.0,
  optionKinds: { suttonBartoReward: 'boolean' },
  entryPoint: (options) => new CartPoleEnv('CartPole-v1', options as CartPoleOptions),
});
// rl-baselines3-zoo's CartPoleNoVel-v1 (import_envs.py): CartPole-v1 with the cart and pole
// velocities (entries 1 and 3) zeroed, a benchmark for recurrent policies (sb3-contrib's RecurrentPPO).
registerEnv({
  id: 'CartPoleNoVel-v1',
  maxEpisodeSteps: 500,
  rewardThreshold: 475.0,
  optionKinds: { suttonBartoReward: 'boolean' },
  entryPoint: (options) => new MaskVelocity(new CartPoleEnv('CartPoleNoVel-v1', options as CartPoleOptions), [1, 3]),
});
registerEnv({
  id: 'MountainCar-v0',
  maxEpisodeSteps: 200,
  rewardThreshold: -110.0,
  optionKinds: { goalVelocity: 'number' },
  entryPoint: (options) => new MountainCarEnv('MountainCar-v0', options as MountainCarOptions),
});
registerEnv({
  id: 'MountainCarContinuous-v0',
  maxEpisodeSteps: 999,
  rewardThreshold: 90.0,
  optionKinds: { goalVelocity: 'number' },
  entryPoint: (options) => new MountainCarContinuousEnv('MountainCarContinuous-v0', options as MountainCarContinuousOptions),
});
registerEnv({
  id: 'Pendulum-v1',
  maxEpisodeSteps: 200,
  optionKinds: { g: 'number' },
  entryPoint: (options) => new PendulumEnv('Pendulum-v1', options as PendulumOptions),
});
registerEnv({
  id: 'Acrobot-v1',
  maxEpisodeSteps: 500,
  rewardThreshold: -100.0,
  entryPoint: () => new AcrobotEnv('Acrobot-v1'),
});

/** The ids this module registers itself: every thread that imports the registry has them. */
const BUILT_IN_IDS: ReadonlySet<string> = new Set(registrations.keys());

/**
 * True for an id registered at run time in this thread (not one of the built-in ids): other
 * threads and processes know it only if they import the module that registers it.
 */
export function registeredInThisThreadOnly(id: string): boolean {
  return registrations.has(id) && !BUILT_IN_IDS.has(id);
}
