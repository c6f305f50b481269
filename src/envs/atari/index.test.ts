import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GymEnv } from '../gym-bridge/gym-env.js';
import { make } from '../registry.js';
import { makeAtariVectorEnv, registerAtariEnvs } from './index.js';

registerAtariEnvs();

test('make() builds Gymnasium Atari ids with the DQN preprocessing and the Env contract', () => {
  const pong = make('PongNoFrameskip-v4');
  const breakout = make('ALE/Breakout-v5', { atari: { frameStack: 2 }, makeKwargs: { repeat_action_probability: 0 } });
  try {
    assert.ok(pong instanceof GymEnv);
    assert.deepEqual(pong.observationSpace.shape, [4, 84, 84]);
    assert.equal(String(pong.actionSpace), 'Discrete(6)');
    assert.deepEqual(breakout.observationSpace.shape, [2, 84, 84]);
    assert.equal(String(breakout.actionSpace), 'Discrete(4)');
    // ALE/*-v5 skips 4 frames itself; the bridge makes it with frameskip 1 so that MaxAndSkip's 4 apply once.
    const { info } = breakout.reset({ seed: 0 });
    const step = breakout.step(1);
    assert.equal(step.obs.length, 2 * 84 * 84);
    assert.equal(step.info.frameNumber, (info.frameNumber as number) + 4);
  } finally {
    pong.close();
    breakout.close();
  }
});

test('makeAtariVectorEnv serves all copies from one process', () => {
  const env = makeAtariVectorEnv('PongNoFrameskip-v4', 3, { atari: { frameStack: 2 } });
  try {
    assert.equal(env.numEnvs, 3);
    assert.equal(env.reset({ seed: 0 }).obs.length, 3 * 2 * 84 * 84);
  } finally {
    env.close();
  }
  assert.throws(() => makeAtariVectorEnv('CartPole-v1', 2), /"CartPole-v1" is not an Atari id/);
});

test('ids outside the family, unknown games and unknown options fail with one clear line', () => {
  assert.throws(() => make('PongNoFrameskp-v4'), /unknown env "PongNoFrameskp-v4".*families: Atari/);
  assert.throws(() => make('ALE/Pongg-v5'), /Did you mean: `Pong`\?/);
  assert.throws(() => make('PongNoFrameskip-v4', { frameStack: 4 }), /unknown option "frameStack"; accepted options: atari, atariBackend, makeKwargs, python/);
});
