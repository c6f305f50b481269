/**
 * The page's settings from its address: the query takes `a3c train`'s flag names
 * (`?env=CartPole-v1&mode=data&workers=2`), read with the config table's own parsers, so that a
 * command line and a link say the same thing.
 */
import { CONFIG_FIELDS, flagName, type Field, type TrainConfig } from '../../src/algo/config/config.js';

/** Keys the page decides itself: it writes no files (a checkpoint is downloaded instead). */
const PAGE_OWNED: readonly (keyof TrainConfig)[] = ['checkpoint', 'logdir', 'transport'];

/** The config the query sets; `envModule` made absolute against the page. @throws Error for an unknown flag or a value its parser refuses. */
export function configFromQuery(query: URLSearchParams, pageUrl: string): Partial<TrainConfig> {
  const byFlag = new Map(Object.entries<Field<unknown>>(CONFIG_FIELDS).map(([key, field]) => [flagName(key), { key, field }]));
  const config: Record<string, unknown> = {};
  for (const [name, text] of query) {
    const entry = byFlag.get(name);
    if (entry === undefined) throw new Error(`?${name}= in the address is not a flag of a3c train`);
    if (PAGE_OWNED.includes(entry.key as keyof TrainConfig)) throw new Error(`?${name}= in the address: the page writes no files and runs its agents in Web Workers`);
    config[entry.key] = entry.field.kind.parse ? entry.field.kind.parse(text) : text;
  }
  if (typeof config.envModule === 'string') config.envModule = new URL(config.envModule, pageUrl).href;
  return config as Partial<TrainConfig>;
}

/** The page's own values, over whatever the query or a checkpoint says. */
export const PAGE_CONFIG: Partial<TrainConfig> = { checkpoint: null, logdir: null };
