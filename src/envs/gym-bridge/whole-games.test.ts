// Reported episodes on the real emulator, with a game that has lives: whole games and raw scores,
// while training episodes end at each lost life and rewards are clipped (issue: true game scores).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateCheckpoint } from '../../algo/training/evaluate.js';
import { Rng } from '../../utils/rng.js';
import { writeUntrainedAtariCheckpoint } from '../../../test/support/checkpoint-fixtures.js';
import { ATARI_BACKENDS } from './atari-preprocessing.js';
import { GymVectorEnv } from './gym-vector-env.js';

const GAME = 'SpaceInvadersNoFrameskip-v4';
/** Space Invaders scores 5 to 30 points per invader; its games start with 3 lives. */
const POINTS_UNIT = 5;
const GAMES = 2;
/** A random policy's game lasts a few hundred agent steps; this bound only stops a broken run. */
const MAX_STEPS = 20_000;

for (const atariBackend of ATARI_BACKENDS) test(`${GAME} on ${atariBackend}: info.episode reports whole games with their raw score, over the per-life training episodes`, () => {
  const env = new GymVectorEnv(GAME, 2, { atariBackend });
  try {
    env.reset({ seed: 3 });
    const rng = new Rng(3);
    const games: { r: number; l: number; rawSum: number; clippedSum: number; lifeEnds: number; steps: number }[] = [];
    const current = [0, 1].map(() => ({ rawSum: 0, clippedSum: 0, lifeEnds: 0, steps: 0 }));
    for (let t = 0; t < MAX_STEPS && games.length < GAMES; t++) {
      const result = env.step([0, 1].map(() => Math.floor(rng.random() * 6)));
      for (let i = 0; i < 2; i++) {
        const game = current[i];
        game.steps++;
        game.rawSum += result.infos[i].rawReward as number;
        game.clippedSum += result.rewards[i];
        if (result.terminated[i] === 1 || result.truncated[i] === 1) game.lifeEnds++;
        const episode = result.infos[i].episode as { r: number; l: number } | undefined;
        if (episode === undefined) continue;
        games.push({ ...episode, ...game });
        current[i] = { rawSum: 0, clippedSum: 0, lifeEnds: 0, steps: 0 };
      }
    }
    assert.equal(games.length, GAMES, `${GAMES} games end within ${MAX_STEPS} steps`);
    for (const game of games) {
      assert.equal(game.r, game.rawSum, 'the raw score of every step of the game');
      assert.equal(game.r % POINTS_UNIT, 0);
      assert.ok(game.r > game.clippedSum, `raw ${game.r} points, not the ${game.clippedSum} clipped rewards training sees`);
      assert.equal(game.l, game.steps, 'the game length in agent steps');
      assert.ok(game.lifeEnds >= 3, `training ended ${game.lifeEnds} episodes (one per life) within the game`);
    }
  } finally {
    env.close();
  }
});

test(`${GAME}: eval reports whole games`, async () => {
  const checkpoint = join(mkdtempSync(join(tmpdir(), 'a3c-games-')), 'ckpt');
  await writeUntrainedAtariCheckpoint(checkpoint, GAME, 6);
  const result = await evaluateCheckpoint(checkpoint, { episodes: 1, seed: 1, stochastic: true });
  assert.equal(result.rewards.length, 1);
  assert.equal(result.rewards[0] % POINTS_UNIT, 0);
  assert.ok(result.lengths[0] > 100, `a whole game lasts more than one life: ${result.lengths[0]} steps`);
});
