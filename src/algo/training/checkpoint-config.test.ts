import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint } from '../../io/checkpoint.js';
import { checkpointConfig } from './checkpoint-config.js';
import { resolveConfig } from './resolve-config.js';

/** A checkpoint holding only `config`: checkpointConfig reads nothing else. */
const saved = (config: object) => ({ config }) as unknown as Checkpoint;

test('a config saved before the optimiser, value weight, Atari net and backend were keys resolves to what trained it', () => {
  // Pong now defaults to the A3C paper's net and RMSProp on ale-vector; its older checkpoints hold
  // Lapan's net and Adam states, trained on the python backend.
  const pong = checkpointConfig(saved({ env: 'PongNoFrameskip-v4', mode: 'data', lr: 0.001 }), 'ckpt');
  assert.deepEqual([pong.atariNet, pong.optimizer, pong.valueCoef, pong.lr, pong.atariBackend], ['lapan', 'adam', 1, 0.001, 'python']);
  assert.equal(resolveConfig({ env: 'PongNoFrameskip-v4' }).atariBackend, 'ale-vector');
  // hogwild stepped with the paper's shared RMSProp, eps 0.1.
  const hogwild = checkpointConfig(saved({ env: 'CartPole-v1', mode: 'hogwild' }), 'ckpt');
  assert.deepEqual([hogwild.optimizer, hogwild.rmspropEps], ['rmsprop', 0.1]);
});

test('a config saved with every key resolves to itself', () => {
  const config = resolveConfig({ env: 'PongNoFrameskip-v4', seed: 3 });
  assert.deepEqual(checkpointConfig(saved(config), 'ckpt'), config);
});

test('an invalid saved config is a CheckpointError naming the checkpoint', () => {
  assert.throws(() => checkpointConfig(saved({ env: 'CartPole-v1', optimizer: 'sgd' }), 'runs/x'), {
    name: 'CheckpointError',
    message: /^checkpoint runs\/x: its saved config is invalid: unknown optimizer "sgd"/,
  });
});
