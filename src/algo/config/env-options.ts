import { ATARI_FAMILY } from '../../envs/atari/index.js';
import type { TrainConfig } from './config.js';

/**
 * The `make` options a run's config gives its env: the Atari backend for Atari ids, nothing for
 * other ids (registered envs accept only their own options).
 */
export function envOptionsFor(config: Pick<TrainConfig, 'env' | 'atariBackend'>): Record<string, unknown> {
  return ATARI_FAMILY.matches(config.env) ? { atariBackend: config.atariBackend } : {};
}
