import { CheckpointError, type Checkpoint } from '../../io/checkpoint.js';
import { A3C_RMSPROP_EPS, BASELINES_RMSPROP_EPS } from '../../nn/optimizers.js';
import { ConfigError, type TrainConfig } from '../config/config.js';
import { resolveConfig } from './resolve-config.js';

/**
 * Keys added to the config after checkpoints were first saved, with the values that give the
 * behaviour of the code that saved them where it differs from today's defaults for the env (Pong
 * now defaults to the A3C paper's net and RMSProp; Atari to ale-py's vector env).
 */
function olderDefaults(saved: Partial<TrainConfig>): Partial<TrainConfig> {
  const hogwild = saved.mode === 'hogwild';
  return { atariNet: 'lapan', atariBackend: 'python', valueCoef: 1, optimizer: hogwild ? 'rmsprop' : 'adam', rmspropEps: hogwild ? A3C_RMSPROP_EPS : BASELINES_RMSPROP_EPS };
}

/**
 * The training config `checkpoint` was saved with, validated as a config file is; keys added to
 * the config since it was saved take the values that behave as the code that saved it did.
 * @throws CheckpointError naming `path` when the saved config is not a valid one.
 */
export function checkpointConfig(checkpoint: Checkpoint, path: string): TrainConfig {
  try {
    const saved = checkpoint.config as Partial<TrainConfig>;
    return resolveConfig({ ...olderDefaults(saved), ...saved });
  } catch (err) {
    if (err instanceof ConfigError) throw new CheckpointError(`checkpoint ${path}: its saved config is invalid: ${err.message}`);
    throw err;
  }
}
