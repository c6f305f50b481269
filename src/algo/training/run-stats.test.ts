import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunStats } from './run-stats.js';

const episodes = (rewards: number[]) => rewards.map((reward) => ({ reward, length: 1 }));

test('solved: by mean-100 over 100 training episodes, or by the last greedy evaluation alone', () => {
  const stats = new RunStats();
  stats.addEpisodes(episodes(Array(99).fill(500)));
  assert.equal(stats.solved(475), false, '99 episodes are not a mean-100');
  stats.addEpisodes(episodes([500]));
  assert.equal(stats.solved(475), true);
  assert.equal(stats.solved(475, true), false, 'by evaluation, training episodes do not count');
  stats.evalReward = 474.9;
  assert.equal(stats.solved(475, true), false);
  stats.evalReward = 475;
  assert.equal(stats.solved(475, true), true);
  stats.addEpisodes(episodes(Array(100).fill(10)));
  assert.equal(stats.solved(475), false);
  assert.equal(stats.solved(475, true), true, 'a greedy policy that reaches the bound solves a run whose training episodes, with exploration, do not');
});
