import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RunLog } from './run-log.js';
import { REWARD_TAG, loadRunRewards } from './run-rewards.js';

function tempRunDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-rewards-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Logs episodes (step, reward) with a loss scalar between each, as a trainer would. */
function logEpisodes(runDir: string, episodes: [number, number][]): void {
  const log = new RunLog(runDir);
  for (const [step, reward] of episodes) {
    log.scalar('loss/value', reward / 10, step);
    log.scalar(REWARD_TAG, reward, step);
  }
  log.close();
}

test('loads the reward tag from metrics.csv, or from the event file when there is no CSV', (t) => {
  const runDir = tempRunDir(t);
  const episodes: [number, number][] = [[20, 20], [45, 25], [45, 9.5], [130, 85]];
  logEpisodes(runDir, episodes);
  const expected = { name: basename(runDir), steps: episodes.map(([s]) => s), rewards: episodes.map(([, r]) => r) };
  const withoutMinutes = ({ minutes: _, ...rest }: ReturnType<typeof loadRunRewards>) => rest;
  assert.deepEqual(withoutMinutes(loadRunRewards(runDir)), expected);
  rmSync(join(runDir, 'metrics.csv'));
  assert.deepEqual(withoutMinutes(loadRunRewards(runDir)), expected);
});

test('minutes count from the first reward logged', (t) => {
  const runDir = tempRunDir(t);
  writeFileSync(join(runDir, 'metrics.csv'), 'step,wall_time,tag,value\n10,1000,loss/value,1\n20,1030,reward,-21\n40,1090,reward,-20\n90,1210,reward,-19\n');
  assert.deepEqual(loadRunRewards(runDir).minutes, [0, 1, 3]);
});

test('a resume from an older checkpoint supersedes the points logged after it', (t) => {
  const runDir = tempRunDir(t);
  logEpisodes(runDir, [[10, 1], [20, 2], [30, 3], [40, 4]]);
  logEpisodes(runDir, [[25, 5], [35, 6]]);
  assert.deepEqual(loadRunRewards(runDir).steps, [10, 20, 25, 35]);
  assert.deepEqual(loadRunRewards(runDir).rewards, [1, 2, 5, 6]);
});

test('a folder without logs is reported as such', (t) => {
  const runDir = tempRunDir(t);
  assert.throws(() => loadRunRewards(runDir), /no metrics\.csv and no event file; is this a run folder\?/);
});
