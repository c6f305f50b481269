export type {
  Action,
  DiscreteEnv,
  Env,
  Info,
  Obs,
  ResetOptions,
  ResetResult,
  StatefulEnv,
  StepResult,
  VectorEnv,
  VectorStepResult,
} from './core.js';
export { Box, Discrete, type BoxArray, type BoxDtype, type Space } from './spaces.js';
export { Rng } from '../utils/rng.js';
export { NumpyGenerator } from '../utils/numpy-random.js';
export {
  envSpec,
  listEnvIds,
  make,
  makeMonitored,
  makeVectorEnv,
  registerEnv,
  registerEnvFamily,
  type EnvFamily,
  type EnvRegistration,
  type EnvSpec,
  type OptionKind,
} from './registry.js';
export { ClipAction, PassiveEnvChecker, RecordEpisodeStatistics, TimeLimit, Wrapper, type EpisodeStatistics } from './wrappers.js';
export { SyncVectorEnv } from './vector-env.js';
export { VecNormalize, normalizeObs, type NormalizationIncrements, type VecNormalizeOptions } from './vec-normalize.js';
export { RunningMeanStd, type Moments } from './running-mean-std.js';
export { actionProblem, checkAction, EnvCheckError, rngForReset, stepBeforeResetError } from './env-checks.js';
export { AcrobotEnv } from './classic-control/acrobot.js';
export { CartPoleEnv, type CartPoleOptions } from './classic-control/cart-pole.js';
export { MountainCarEnv, type MountainCarOptions } from './classic-control/mountain-car.js';
export { MountainCarContinuousEnv, type MountainCarContinuousOptions } from './classic-control/mountain-car-continuous.js';
export { PendulumEnv, type PendulumOptions } from './classic-control/pendulum.js';
