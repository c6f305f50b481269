export { ATARI_BACKENDS, DEFAULT_ATARI_BACKEND, DQN_ATARI_DEFAULTS, resolveAtariPreprocessing, type AtariBackend, type AtariPreprocessingOptions } from './atari-preprocessing.js';
export { GymServerDiedError, type ServerHello } from './env-server-process.js';
export { GymEnv } from './gym-env.js';
export { GymVectorEnv, type GymEnvOptions } from './gym-vector-env.js';
export { resolvePython, SERVER_PACKAGES, type PythonEnvOptions } from './python-env.js';
