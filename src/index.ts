/** a3c-ts: the library API (the `a3c` command is src/cli/main.ts). */
export * from './envs/index.js';
export { EnvProcessDiedError } from './envs/core.js';
export { registerAtariEnvs, makeAtariVectorEnv } from './envs/atari/index.js';
export { A3C, type A3COptions, type TrainResult } from './algo/a3c.js';
export { MODES, REFERENCE_DEFAULTS, ENV_DEFAULTS, ConfigError, type ModeName, type TrainConfig } from './algo/config/config.js';
export { MODE_DEFAULTS, resolveConfig } from './algo/training/resolve-config.js';
export { evaluateCheckpoint, type EvalOptions, type EvalResult } from './algo/training/evaluate.js';
export type { TrainCallbacks, StopReason } from './algo/training/training-context.js';
export type { RunStats } from './algo/training/run-stats.js';
export { initBackend, type InitBackendArgs } from './nn/kernels/backend.js';
export { createNet, type ActorCriticNet, type NetSpec } from './nn/networks.js';
export { loadCheckpoint, saveCheckpoint, CheckpointError, type Checkpoint } from './io/checkpoint.js';
export { RedisTransportError } from './parallel/redis-url.js';
