// ptan's wrap_dqn preprocessing of the python backend (python/env_server.py, DqnAtari) on the real
// emulator, each wrapper checked against ALE's own counters or against an env with that wrapper
// turned off. The ale-vector backend's own definitions: ale-vector.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obs } from '../core.js';
import { Rng } from '../../utils/rng.js';
import { DQN_ATARI_DEFAULTS, resolveAtariPreprocessing } from './atari-preprocessing.js';
import { GymEnv } from './gym-env.js';
import { GymVectorEnv } from './gym-vector-env.js';

const PONG = 'PongNoFrameskip-v4';
const BREAKOUT = 'BreakoutNoFrameskip-v4';
const WARPED_FRAME_BYTES = 84 * 84;
const BREAKOUT_LIVES = 5;
/** FireReset plays FIRE then action 2, one agent step of 4 frames each. */
const FIRE_RESET_FRAMES = 2 * DQN_ATARI_DEFAULTS.frameSkip;
/** EpisodicLife's reset after a lost life plays one NOOP frame before the no-ops. */
const LIFE_RESET_FRAMES = 1;
const SEED = 3;
const PYTHON = { atariBackend: 'python' } as const;

function frame(obs: Obs, index: number, frameBytes = WARPED_FRAME_BYTES): Obs {
  return obs.subarray(index * frameBytes, (index + 1) * frameBytes);
}

test('observations are uint8 [4, 84, 84] and the action space is the minimal set', () => {
  const env = new GymEnv(PONG, PYTHON);
  try {
    assert.deepEqual(env.observationSpace.shape, [4, 84, 84]);
    assert.equal(env.observationSpace.dtype, 'uint8');
    assert.equal(env.observationSpace.high[0], 255);
    assert.deepEqual(env.actionMeanings, ['NOOP', 'FIRE', 'RIGHT', 'LEFT', 'RIGHTFIRE', 'LEFTFIRE']);
    const { obs } = env.reset({ seed: SEED });
    assert.ok(obs instanceof Uint8Array && obs.length === 4 * WARPED_FRAME_BYTES);
    assert.ok(obs.some((x) => x > 0), 'the frame shows something');
  } finally {
    env.close();
  }
});

test('an agent step is 4 frames and observes the max of the last two (MaxAndSkip)', () => {
  // Without no-ops and FIRE on reset, both envs start from the same emulator state.
  const pooled = new GymEnv(PONG, { ...PYTHON, atari: { warpFrame: false, frameStack: 1, noopMax: 0, fireReset: false } });
  const raw = new GymEnv(PONG, { ...PYTHON, atari: false });
  try {
    assert.deepEqual(pooled.observationSpace.shape, [1, 210, 160, 3]);
    assert.deepEqual(raw.observationSpace.shape, [210, 160, 3]);
    const first = pooled.reset({ seed: SEED });
    assert.deepEqual(first.obs, raw.reset({ seed: SEED }).obs);
    let frameNumber = first.info.frameNumber as number;
    let maxDiffersFromLast = 0;
    const rng = new Rng(SEED);
    for (let t = 0; t < 40; t++) {
      const action = rng.integer(6);
      const step = pooled.step(action);
      assert.equal(step.info.frameNumber, frameNumber + DQN_ATARI_DEFAULTS.frameSkip);
      frameNumber = step.info.frameNumber as number;
      const frames = [1, 2, 3, 4].map(() => raw.step(action).obs);
      const [, , thirdFrame, lastFrame] = frames;
      const expected = thirdFrame.map((x, i) => Math.max(x, lastFrame[i]));
      assert.deepEqual(step.obs, expected, `step ${t}: max of frames 3 and 4`);
      if (!expected.every((x, i) => x === lastFrame[i])) maxDiffersFromLast++;
    }
    assert.ok(maxDiffersFromLast > 0, 'the max differs from the last frame somewhere (a moving ball)');
  } finally {
    pooled.close();
    raw.close();
  }
});

test('the frame stack holds the last 4 warped frames, newest last, and the reset frame 4 times', () => {
  const stacked = new GymEnv(PONG, PYTHON);
  const single = new GymEnv(PONG, { ...PYTHON, atari: { frameStack: 1 } });
  try {
    const history = [single.reset({ seed: SEED }).obs];
    const { obs } = stacked.reset({ seed: SEED });
    for (let k = 0; k < 4; k++) assert.deepEqual(frame(obs, k), history[0]);
    const rng = new Rng(SEED);
    for (let t = 0; t < 8; t++) {
      const action = rng.integer(6);
      history.push(single.step(action).obs);
      const step = stacked.step(action);
      for (let k = 0; k < 4; k++) {
        const age = 3 - k;
        assert.deepEqual(frame(step.obs, k), history[Math.max(0, history.length - 1 - age)], `step ${t}, frame ${k}`);
      }
    }
    assert.ok(!history.every((h) => h.every((x, i) => x === history[0][i])), 'the frames change over the steps');
  } finally {
    stacked.close();
    single.close();
  }
});

test('reset plays 1..30 no-ops and FIRE, 2 (NoopReset, FireReset)', () => {
  const numEnvs = 8;
  /** Enough seeded resets to draw both ends of 1..30 (each is missed with probability < 1e-4). */
  const resets = 40;
  const env = new GymVectorEnv(PONG, numEnvs, PYTHON);
  const plain = new GymVectorEnv(PONG, 1, { ...PYTHON, atari: { noopMax: 0, fireReset: false } });
  try {
    const noops: number[] = [];
    for (let r = 0; r < resets; r++) {
      // Only the first reset is seeded: a seeded reset reloads the ROM (ale-py's AtariEnv), ~70 ms.
      for (const [i, info] of env.reset(r === 0 ? { seed: SEED } : {}).infos.entries()) {
        const count = info.noops as number;
        assert.ok(Number.isInteger(count), `reset ${r}, copy ${i}: noops ${count}`);
        assert.equal(info.episodeFrameNumber, count + FIRE_RESET_FRAMES, `no-op frames then 2 agent steps of FIRE, 2`);
        noops.push(count);
      }
    }
    assert.equal(Math.min(...noops), 1);
    assert.equal(Math.max(...noops), DQN_ATARI_DEFAULTS.noopMax);
    const plainInfo = plain.reset({ seed: SEED }).infos[0];
    assert.equal(plainInfo.episodeFrameNumber, 0);
    assert.equal(plainInfo.noops, undefined);
  } finally {
    env.close();
    plain.close();
  }
});

test('rewards are the sign of the raw reward, which info keeps (ClipReward)', () => {
  // Space Invaders scores 5 to 30 points per alien, so clipping shows.
  const env = new GymEnv('SpaceInvadersNoFrameskip-v4', PYTHON);
  try {
    env.reset({ seed: SEED });
    const rng = new Rng(SEED);
    let largest = 0;
    for (let t = 0; t < 300; t++) {
      const step = env.step(rng.integer(6));
      const raw = step.info.rawReward as number;
      assert.equal(step.reward, Math.sign(raw));
      largest = Math.max(largest, raw);
      if (step.terminated || step.truncated) env.reset();
    }
    assert.ok(largest > 1, `a raw reward above 1 was seen: ${largest}`);
  } finally {
    env.close();
  }
});

test('a lost life ends the agent\'s episode but not the game; a real reset follows game over (EpisodicLife)', () => {
  const env = new GymEnv(BREAKOUT, PYTHON);
  try {
    let { info } = env.reset({ seed: SEED });
    assert.equal(info.lives, BREAKOUT_LIVES);
    const rng = new Rng(SEED);
    let lifeEpisodes = 0;
    let gameScore: number | undefined;
    let rawScore = 0;
    for (let t = 0; t < 20_000 && gameScore === undefined; t++) {
      const step = env.step(rng.integer(4));
      assert.equal(step.reward, Math.sign(step.info.rawReward as number), 'ClipReward: the sign of the raw reward');
      rawScore += step.info.rawReward as number;
      if (!step.terminated) {
        assert.equal(step.info.lives, info.lives, 'no life lost without the episode ending');
        continue;
      }
      assert.equal(step.info.lives, (info.lives as number) - 1, 'an episode ends on each lost life');
      const next = env.reset();
      if (step.info.lives === 0) {
        gameScore = step.info.gameScore as number;
        assert.equal(next.info.lives, BREAKOUT_LIVES, 'game over: a new game');
        assert.equal(next.info.episodeFrameNumber, (next.info.noops as number) + FIRE_RESET_FRAMES);
      } else {
        lifeEpisodes++;
        assert.equal(step.info.gameScore, undefined, 'the game is not over');
        assert.equal(next.info.lives, step.info.lives, 'the game goes on with the lives left');
        assert.equal(
          next.info.episodeFrameNumber,
          (step.info.episodeFrameNumber as number) + LIFE_RESET_FRAMES + (next.info.noops as number) + FIRE_RESET_FRAMES,
          'the same game continues: NOOP, no-ops, FIRE, 2',
        );
      }
      info = next.info;
    }
    assert.equal(lifeEpisodes, BREAKOUT_LIVES - 1);
    assert.equal(gameScore, rawScore, 'gameScore is the raw score of the whole game');
  } finally {
    env.close();
  }
});

test('FIRE on reset launches Breakout\'s ball: without it, no-op play never loses a life', () => {
  const noopSteps = 400;
  const fired = new GymEnv(BREAKOUT, PYTHON);
  const unfired = new GymEnv(BREAKOUT, { ...PYTHON, atari: { fireReset: false } });
  try {
    const livesLost = (env: GymEnv): boolean => {
      env.reset({ seed: SEED });
      for (let t = 0; t < noopSteps; t++) if (env.step(0).terminated) return true;
      return false;
    };
    assert.equal(livesLost(fired), true);
    assert.equal(livesLost(unfired), false);
  } finally {
    fired.close();
    unfired.close();
  }
});

test('preprocessing options are checked before any process starts', () => {
  assert.throws(() => resolveAtariPreprocessing({ frameSkip: 0 }), /frameSkip must be an integer >= 1, got 0/);
  assert.throws(() => resolveAtariPreprocessing({ noopMax: 2.5 }), /noopMax must be an integer >= 0/);
  assert.throws(() => resolveAtariPreprocessing({ fireReset: 1 as unknown as boolean }), /fireReset must be a boolean/);
  assert.throws(() => resolveAtariPreprocessing({ stack: 4 } as never), /unknown option "stack"; accepted options: noopMax/);
  assert.deepEqual(resolveAtariPreprocessing({ frameStack: 2 }), { ...DQN_ATARI_DEFAULTS, frameStack: 2 });
});
