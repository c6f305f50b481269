// The ale-vector backend (python/env_server.py, AleVectorBatch over ale-py's AtariVectorEnv) on the
// real emulator, each part of the DQN preprocessing checked against its own definition: ALE's
// counters, the same game with the part turned off, or the python backend where the two agree by
// construction. Where they differ (README, "Atari backends") each is pinned to its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obs } from '../core.js';
import { Rng } from '../../utils/rng.js';
import { DQN_ATARI_DEFAULTS } from './atari-preprocessing.js';
import { GymEnv } from './gym-env.js';
import { GymVectorEnv } from './gym-vector-env.js';

const PONG = 'PongNoFrameskip-v4';
const BREAKOUT = 'BreakoutNoFrameskip-v4';
const FRAME_BYTES = 84 * 84;
const BREAKOUT_LIVES = 5;
const SEED = 3;
const ALE_VECTOR = { atariBackend: 'ale-vector' } as const;

function frame(obs: Obs, index: number): Obs {
  return obs.subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES);
}

test('ale-vector serves the python backend\'s spaces: uint8 [4, 84, 84] frames, the minimal action set', () => {
  const vector = new GymEnv(PONG, ALE_VECTOR);
  const python = new GymEnv(PONG, { atariBackend: 'python' });
  try {
    assert.deepEqual(vector.observationSpace.shape, [4, 84, 84]);
    assert.equal(vector.observationSpace.dtype, 'uint8');
    assert.deepEqual([vector.observationSpace.low[0], vector.observationSpace.high[0]], [0, 255]);
    assert.equal(vector.observationSpace.toString(), python.observationSpace.toString());
    assert.equal(vector.actionSpace.toString(), python.actionSpace.toString());
    assert.deepEqual(vector.actionMeanings, python.actionMeanings);
  } finally {
    vector.close();
    python.close();
  }
});

test('ale-vector: a step is 4 frames; the stack shifts by one frame, newest last; a reset stack is zero-padded', () => {
  const env = new GymVectorEnv(PONG, 2, ALE_VECTOR);
  try {
    let { obs, infos } = env.reset({ seed: SEED });
    for (let i = 0; i < 2; i++) {
      const copy = obs.subarray(i * 4 * FRAME_BYTES, (i + 1) * 4 * FRAME_BYTES);
      for (let k = 0; k < 3; k++) assert.ok(frame(copy, k).every((x) => x === 0), `copy ${i}: reset frame ${k} is zero padding`);
      assert.ok(frame(copy, 3).some((x) => x > 0), `copy ${i}: the reset frame is newest`);
    }
    const rng = new Rng(SEED);
    for (let t = 0; t < 20; t++) {
      const result = env.step([rng.integer(6), rng.integer(6)]);
      for (let i = 0; i < 2; i++) {
        assert.equal(result.infos[i].frameNumber, (infos[i].frameNumber as number) + DQN_ATARI_DEFAULTS.frameSkip, `step ${t}, copy ${i}`);
        const before = obs.subarray(i * 4 * FRAME_BYTES, (i + 1) * 4 * FRAME_BYTES);
        const after = result.obs.subarray(i * 4 * FRAME_BYTES, (i + 1) * 4 * FRAME_BYTES);
        for (let k = 0; k < 3; k++) assert.deepEqual(frame(after, k), frame(before, k + 1), `step ${t}, copy ${i}, frame ${k}`);
      }
      ({ obs, infos } = result);
    }
  } finally {
    env.close();
  }
});

test('ale-vector: copy i of a reset with seed s plays as a single copy seeded s + i (Gymnasium\'s vector seeding)', () => {
  const pair = new GymVectorEnv(PONG, 2, ALE_VECTOR);
  const single = new GymVectorEnv(PONG, 1, ALE_VECTOR);
  try {
    const copyOne = (obs: Obs) => obs.subarray(4 * FRAME_BYTES);
    assert.deepEqual(copyOne(pair.reset({ seed: SEED }).obs), single.reset({ seed: SEED + 1 }).obs);
    const rng = new Rng(SEED);
    for (let t = 0; t < 50; t++) {
      const action = rng.integer(6);
      assert.deepEqual(copyOne(pair.step([rng.integer(6), action]).obs), single.step([action]).obs, `step ${t}`);
    }
  } finally {
    pair.close();
    single.close();
  }
});

test('ale-vector: a reset plays up to noopMax no-op frames, drawn per copy; none without no-ops and FIRE', () => {
  const env = new GymVectorEnv(PONG, 8, ALE_VECTOR);
  const plain = new GymVectorEnv(PONG, 2, { ...ALE_VECTOR, atari: { noopMax: 0, fireReset: false } });
  try {
    const frames = new Set<number>();
    for (let r = 0; r < 6; r++) for (const info of env.reset({ seed: SEED + 8 * r }).infos) frames.add(info.episodeFrameNumber as number);
    for (const f of frames) assert.ok(f >= 0 && f <= DQN_ATARI_DEFAULTS.noopMax, `reset at frame ${f}`);
    assert.ok(frames.size >= 10, `48 resets start at ${frames.size} different frames`);
    assert.deepEqual(plain.reset({ seed: SEED }).infos.map((i) => i.episodeFrameNumber), [0, 0]);
  } finally {
    env.close();
    plain.close();
  }
});

test('ale-vector: a lost life ends the episode and the game goes on at once; game over reports the raw score and starts a new game', () => {
  const env = new GymEnv(BREAKOUT, ALE_VECTOR);
  try {
    let { info } = env.reset({ seed: SEED });
    assert.equal(info.lives, BREAKOUT_LIVES);
    const rng = new Rng(SEED);
    let lifeEpisodes = 0;
    let rawScore = 0;
    let gameScore: number | undefined;
    for (let t = 0; t < 20_000 && gameScore === undefined; t++) {
      const step = env.step(rng.integer(4));
      assert.equal(step.reward, Math.sign(step.info.rawReward as number), 'clipped: the sign of the raw reward');
      rawScore += step.info.rawReward as number;
      if (!step.terminated) {
        assert.equal(step.info.lives, info.lives, 'no life lost without the episode ending');
        assert.equal(step.info.gameScore, undefined);
        info = step.info;
        continue;
      }
      const next = env.reset();
      if (step.info.gameScore === undefined) {
        lifeEpisodes++;
        assert.equal(step.info.lives, (info.lives as number) - 1, 'an episode ends on each lost life');
        assert.equal(step.info.episodeFrameNumber, (info.episodeFrameNumber as number) + DQN_ATARI_DEFAULTS.frameSkip, 'the game goes on: no reset frames');
        assert.equal(next.info.lives, step.info.lives);
        info = step.info;
      } else {
        gameScore = step.info.gameScore as number;
        assert.equal(step.info.lives, 0, 'game over');
        assert.equal(next.info.lives, BREAKOUT_LIVES, 'a new game');
        assert.ok((next.info.episodeFrameNumber as number) <= DQN_ATARI_DEFAULTS.noopMax, 'the new game starts with its reset');
      }
    }
    assert.equal(lifeEpisodes, BREAKOUT_LIVES - 1);
    assert.equal(gameScore, rawScore, 'gameScore is the raw score of the whole game');
  } finally {
    env.close();
  }
});

test('ale-vector: FIRE launches the first ball only; after a lost life the agent presses FIRE itself', () => {
  const env = new GymEnv(BREAKOUT, ALE_VECTOR);
  try {
    env.reset({ seed: SEED });
    let livesLost = 0;
    for (let t = 0; t < 2000; t++) {
      if (!env.step(0).terminated) continue;
      livesLost++;
      env.reset();
    }
    assert.equal(livesLost, 1, 'no-op play loses the fired ball, then waits');
  } finally {
    env.close();
  }
});

test('both backends truncate a game at max_num_frames_per_episode and report it as a whole game', () => {
  const maxFrames = 400;
  for (const atariBackend of ['ale-vector', 'python'] as const) {
    const env = new GymEnv(PONG, { atariBackend, makeKwargs: { max_num_frames_per_episode: maxFrames } });
    try {
      env.reset({ seed: SEED });
      let step;
      let t = 0;
      do step = env.step(0);
      while (!step.truncated && ++t < maxFrames);
      assert.equal(step.truncated, true, `${atariBackend}: truncated within ${maxFrames} frames`);
      assert.equal(step.terminated, false, atariBackend);
      assert.ok((step.info.episode as { l: number } | undefined)?.l === t + 1, `${atariBackend}: the truncated game is reported, ${t + 1} steps`);
    } finally {
      env.close();
    }
  }
});

test('ale-vector names the python backend for what it cannot do', () => {
  assert.throws(() => new GymEnv(PONG, { ...ALE_VECTOR, makeKwargs: { obs_type: 'ram' } }), /ale-vector takes the make keyword arguments .*not obs_type; use --atari-backend python/);
  assert.throws(() => new GymEnv(PONG, { ...ALE_VECTOR, atari: { warpFrame: false } }), /ale-vector serves 84x84 grayscale frames only .*use --atari-backend python/);
  assert.throws(() => new GymEnv(PONG, { atariBackend: 'gpu' as never }), /atariBackend must be one of ale-vector, python, got "gpu"/);
  const env = new GymEnv(PONG, ALE_VECTOR);
  try {
    env.reset({ seed: SEED });
    assert.throws(() => env.renderRgb(), /render needs the emulator's RGB screens.*use --atari-backend python/);
    assert.equal(env.step(0).obs.length, 4 * FRAME_BYTES, 'the server still serves after the refused render');
  } finally {
    env.close();
  }
  const raw = new GymEnv(PONG, { ...ALE_VECTOR, atari: false });
  try {
    assert.deepEqual(raw.observationSpace.shape, [210, 160, 3], 'raw frames come from Gymnasium\'s env, whatever the backend');
  } finally {
    raw.close();
  }
});
