/** Test helpers: checkpoints to play, export and reject. */
import { A3C } from '../../src/algo/a3c.js';
import { resolveConfig } from '../../src/algo/training/resolve-config.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { initBackend } from '../../src/nn/kernels/backend.js';
import { createNet, type AtariSpec } from '../../src/nn/networks.js';

/** Enough A2C steps for a checkpoint whose greedy CartPole episodes differ from seed to seed. */
const SMALL_TRAINING_STEPS = 2000;
/** Enough steps for normalisation statistics far from their start and a policy that is not the initial one. */
const SMALL_CONTINUOUS_STEPS = 20_000;
/** Pong's DQN-wrapped observations and action count. */
const ATARI_INPUT_SHAPE: [number, number, number] = [4, 84, 84];
const PONG_ACTIONS = 6;

/** A CartPole-v1 checkpoint after a second or so of synchronous A2C. */
export async function trainSmallCartPoleCheckpoint(path: string, seed: number): Promise<void> {
  await new A3C({ env: 'CartPole-v1', mode: 'a2c', maxSteps: SMALL_TRAINING_STEPS, seed, checkpoint: path }).learn();
}

/**
 * A checkpoint of a continuous-control env (Gaussian policy, normalised observations: the env's
 * preset) after a few seconds of synchronous A2C.
 */
export async function trainSmallContinuousCheckpoint(path: string, env: 'Pendulum-v1' | 'MountainCarContinuous-v0', seed: number): Promise<void> {
  await new A3C({ env, mode: 'a2c', maxSteps: SMALL_CONTINUOUS_STEPS, seed, checkpoint: path }).learn();
}

/**
 * A checkpoint of a freshly initialised Atari net for `env` (PongNoFrameskip-v4 by default; the
 * game must have `numActions` actions): enough to play and record.
 */
export async function writeUntrainedAtariCheckpoint(path: string, env = 'PongNoFrameskip-v4', numActions = PONG_ACTIONS): Promise<void> {
  await initBackend({});
  const netSpec: AtariSpec = { kind: 'atari', inputShape: ATARI_INPUT_SHAPE, numActions };
  const net = createNet(netSpec, 0);
  const params = net.getParams();
  saveCheckpoint(path, {
    config: { ...resolveConfig({}), env },
    netSpec,
    weights: net.variables.map((v) => ({ name: v.name, shape: [...v.shape] })),
    params,
    optimizer: { name: 'adam', step: 0, buffers: {} },
    counters: { envSteps: 0, updates: 0, trainedSamples: 0, episodes: 0, seconds: 0 },
    recentRewards: [],
    runDir: null,
  });
  net.dispose();
}

/**
 * A checkpoint that claims an Atari network for PongNoFrameskip-v4 but holds one parameter: enough
 * for commands that must refuse Atari before they build its network or env.
 */
export function writeAtariStubCheckpoint(path: string): void {
  saveCheckpoint(path, {
    config: { ...resolveConfig({}), env: 'PongNoFrameskip-v4' },
    netSpec: { kind: 'atari', inputShape: ATARI_INPUT_SHAPE, numActions: PONG_ACTIONS },
    weights: [{ name: 'stub', shape: [1] }],
    params: new Float32Array(1),
    optimizer: { name: 'adam', step: 0, buffers: {} },
    counters: { envSteps: 0, updates: 0, trainedSamples: 0, episodes: 0, seconds: 0 },
    recentRewards: [],
    runDir: null,
  });
}
