/**
 * The config a run trains with: the table's defaults (config/config.ts) under the per-env ones,
 * the mode's own (each mode's `defaults`), the preset, a config file and flags, merged and
 * validated, the mode asked for what is its own (its rollout sizes under policy lstm, which
 * transports it runs over).
 */
import {
  CONFIG_FIELDS,
  ConfigError,
  ENV_DEFAULTS,
  ENV_MODE_DEFAULTS,
  MODES,
  PRESETS,
  REFERENCE_DEFAULTS,
  TRANSPORT_SAVE_EVERY,
  type ModeName,
  type TrainConfig,
} from '../config/config.js';
import { parseRedisUrl } from '../../parallel/redis-url.js';
import { modeNamed } from '../modes/index.js';

/**
 * Per-mode defaults, applied over the per-env ones: each mode's `defaults` (src/algo/modes/), for
 * the modes that have any (hogwild: Mnih et al. 2016's RMSProp, clip and annealed lr).
 */
export const MODE_DEFAULTS: Readonly<Partial<Record<ModeName, Partial<TrainConfig>>>> = Object.freeze(
  Object.fromEntries(MODES.filter((name) => Object.keys(modeNamed(name).defaults).length > 0).map((name) => [name, modeNamed(name).defaults])),
);

/** Over the env's defaults when a transport is given: the trainer runs no agents of its own unless told to. */
const TRANSPORT_DEFAULTS: Readonly<Partial<TrainConfig>> = Object.freeze({ workers: 0 });

/** With a transport and a checkpoint folder, also periodic saves (TRANSPORT_SAVE_EVERY, config.ts). */
const TRANSPORT_CHECKPOINT_DEFAULTS: Readonly<Partial<TrainConfig>> = Object.freeze({ ...TRANSPORT_DEFAULTS, saveEvery: TRANSPORT_SAVE_EVERY });

function check(condition: boolean, message: string): void {
  if (!condition) throw new ConfigError(message);
}

/**
 * policy lstm trains on whole forward-view rollouts, each nSteps consecutive steps of an agent's
 * envsPerWorker copies: returns follow, and the mode fits its rollout sizes to them
 * (`fitRecurrentRollouts`), over the env's and the mode's defaults; values the user gave
 * (`given`) must fit.
 */
function fitRecurrentRollouts(config: TrainConfig, given: Partial<TrainConfig>): void {
  check(given.returns !== 'first-last', 'policy lstm replays rollouts in step order, which first-last n-step windows do not keep: leave returns unset or forward-view');
  config.returns = 'forward-view';
  modeNamed(config.mode).fitRecurrentRollouts(config, given);
}

/**
 * Merges defaults < env defaults < mode defaults < env-and-mode defaults < preset < file < flags,
 * then validates; the layers given are the file's and the flags' (or a saved config's), in order.
 * A linear lrSchedule from a mode default or a preset becomes constant where maxSteps is not set.
 * With a transport, the trainer runs no agents of its own (workers 0) and, with a checkpoint
 * folder, saves every TRANSPORT_SAVE_EVERY env steps, unless the layers say otherwise.
 * Layers' keys must be known; undefined values are skipped.
 * @throws ConfigError with one line: an unknown key or preset, an invalid value, or keys that do
 *   not fit together (or not the mode: its `validate`).
 */
export function resolveConfig(...layers: Partial<TrainConfig>[]): TrainConfig {
  const known = Object.keys(CONFIG_FIELDS);
  for (const layer of layers) {
    for (const key of Object.keys(layer)) {
      check(known.includes(key), `unknown config key "${key}"; known keys: ${known.join(', ')}`);
    }
  }
  const merged: Partial<TrainConfig> = {};
  for (const layer of layers) Object.assign(merged, stripUndefined(layer));
  const presetName = merged.preset ?? null;
  check(CONFIG_FIELDS.preset.kind.is(presetName), CONFIG_FIELDS.preset.kind.error('preset', presetName));
  const preset = presetName === null ? {} : PRESETS[presetName];
  const env = merged.env ?? REFERENCE_DEFAULTS.env;
  const transportDefaults = merged.transport ? (merged.checkpoint ? TRANSPORT_CHECKPOINT_DEFAULTS : TRANSPORT_DEFAULTS) : {};
  const mode = (merged.mode ?? preset.mode ?? ENV_DEFAULTS[env]?.mode ?? REFERENCE_DEFAULTS.mode) as ModeName;
  const modeDefaults = { ...MODE_DEFAULTS[mode], ...ENV_MODE_DEFAULTS[env]?.[mode] };
  const config: TrainConfig = { ...REFERENCE_DEFAULTS, ...ENV_DEFAULTS[env], ...modeDefaults, ...preset, ...transportDefaults, ...merged, env } as TrainConfig;
  for (const [key, f] of Object.entries(CONFIG_FIELDS)) {
    const value: unknown = config[key as keyof TrainConfig];
    check(f.kind.is(value), f.kind.error(key, value));
  }
  if (config.lrSchedule === 'linear' && config.maxSteps === null) {
    check(
      merged.lrSchedule === undefined,
      'lrSchedule linear anneals lr to 0 at maxSteps env steps and needs maxSteps: give --max-steps N or --lr-schedule constant',
    );
    config.lrSchedule = 'constant';
  }
  if (config.policy === 'lstm') fitRecurrentRollouts(config, merged);
  check(config.saveEvery === null || config.checkpoint !== null, 'saveEvery needs a checkpoint folder to save to');
  check(config.gaeLambda === 1 || config.returns === 'forward-view', `gaeLambda ${config.gaeLambda} needs returns forward-view; first-last n-step windows have no lambda (leave gaeLambda at 1)`);
  if (config.transport === null) {
    check(config.workers > 0, 'workers must be at least 1 without a transport (agents run as threads of this process)');
    check(config.wireDtype === 'float32', `wireDtype ${config.wireDtype} is for the Redis wire, and there is no transport: threads share float32 memory (give --transport, or leave --wire-dtype out)`);
  } else {
    check(config.run !== null, 'a transport needs a run name: the name agents join with (--run NAME)');
  }
  const tlsFiles = { ca: config.redisCa ?? undefined, cert: config.redisCert ?? undefined, key: config.redisKey ?? undefined };
  if (config.transport !== null) parseRedisUrl(config.transport, undefined, tlsFiles);
  else check(Object.values(tlsFiles).every((file) => file === undefined), 'redisCa, redisCert and redisKey are the TLS files of a rediss:// transport, and there is none');
  const problem = modeNamed(config.mode).validate(config);
  if (problem !== null) throw new ConfigError(problem);
  return config;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
