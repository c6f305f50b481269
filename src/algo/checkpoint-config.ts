import { CheckpointError, type Checkpoint } from '../io/checkpoint.js';
import { ConfigError, resolveConfig, type TrainConfig } from './config.js';

/**
 * The training config `checkpoint` was saved with, validated as a config file is; keys added to
 * the config since it was saved take their defaults.
 * @throws CheckpointError naming `path` when the saved config is not a valid one.
 */
export function checkpointConfig(checkpoint: Checkpoint, path: string): TrainConfig {
  try {
    return resolveConfig(checkpoint.config as Partial<TrainConfig>);
  } catch (err) {
    if (err instanceof ConfigError) throw new CheckpointError(`checkpoint ${path}: its saved config is invalid: ${err.message}`);
    throw err;
  }
}
