import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withoutSecrets, type TrainConfig } from '../config/config.js';

/** Each run folder holds its resolved config, for readers such as `a3c plot`. */
export const RUN_CONFIG_FILE = 'run.json';

/**
 * A new run's TensorBoard folder `logdir/<env>-<mode>-<time>/`, made and holding the run's config
 * (RUN_CONFIG_FILE, without secrets); null where `config.logdir` is null.
 */
export function createRunFolder(config: TrainConfig): string | null {
  if (config.logdir === null) return null;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(config.logdir, `${config.env.replace(/[^A-Za-z0-9_-]/g, '_')}-${config.mode}-${stamp}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_CONFIG_FILE), JSON.stringify(withoutSecrets(config), null, 2));
  return dir;
}
