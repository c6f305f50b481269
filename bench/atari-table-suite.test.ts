import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS_CSV_HEADER, readMetricsCsv, type MetricRow } from '../src/io/metrics-csv.js';
import { ATARI_TABLE_GAMES, archiveGame, archiveRows, atariTableFromCsv, atariTableTables, trainingSeconds } from './atari-table-suite.js';

const START_S = 1_700_000_000;
const [BREAKOUT, PONG] = [ATARI_TABLE_GAMES[0], ATARI_TABLE_GAMES[5]];

function tableDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-atari-table-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A game folder's one run: rows every 10 s for 20 minutes, a 2-hour pause (the next sitting), 10 more minutes. */
function writeRun(dir: string, game: string, seed: number): void {
  const run = join(dir, `${game}-seed${seed}`, 'logs', `${game}-data-2026`);
  mkdirSync(run, { recursive: true });
  const lines = [METRICS_CSV_HEADER];
  let step = 0;
  for (let s = 0; s <= 1800; s += 10) {
    const wall = START_S + s + (s > 1200 ? 7200 : 0);
    step = s * 1000;
    lines.push(`${step},${wall},steps_per_s,1000`, `${step},${wall},reward_100,${s / 100}`);
  }
  writeFileSync(join(run, 'metrics.csv'), `${lines.join('\n')}\n`);
}

test('trainingSeconds sums the gaps between rows and leaves out a pause between sittings', () => {
  const rows = [0, 10, 20, 3020, 3030].map((s, i) => ({ step: i, wallTimeS: START_S + s, tag: 'x', value: 0 }));
  assert.equal(trainingSeconds(rows), 30);
});

test('the table row of a resumed game: last step, training minutes without the pause, steps/s, last mean-100, the eval record', (t) => {
  const dir = tableDir(t);
  writeRun(dir, BREAKOUT.env, 0);
  const evalRecord = { checkpoint: '/x/step-1800000', envSteps: 1_800_000, episodes: 30, meanReward: 17.5 };
  writeFileSync(join(dir, `${BREAKOUT.env}-seed0`, 'eval.json'), JSON.stringify(evalRecord));
  const report = atariTableFromCsv(dir, [BREAKOUT, PONG]);
  // 180 gaps of 10 s, one of them the 7,210-s pause: 1,790 s of training for 1.8M steps.
  assert.deepEqual(report.rows[0], { env: BREAKOUT.env, seed: 0, eval: evalRecord, paper: 150, zooA2c: 279.8, envSteps: 1_800_000, minutes: 29.8, envStepsPerS: 1006, reward100: 18 });
  assert.deepEqual(report.rows[1], { env: PONG.env, seed: null, eval: null, paper: null, zooA2c: 17.3, envSteps: null, minutes: null, envStepsPerS: null, reward100: null });
  const [table] = atariTableTables(report);
  assert.match(table, /\nBreakoutNoFrameskip-v4 +0 +1,800,000 +29\.8 +1,006 +18 +17\.5 \(30 ep\.\) +150 +279\.8\n/);
  assert.match(table, /\nPongNoFrameskip-v4 +- +- +- +- +- +- +- +17\.3$/);
});

test('a missing table folder and a game folder with two runs are refused, naming the folder', (t) => {
  const dir = tableDir(t);
  const missing = join(dir, 'none');
  assert.throws(() => atariTableFromCsv(missing, [BREAKOUT]), { message: `${missing}: no such folder; expected the folder of an atari-table run (its <game>-seed<N>/ folders)` });
  writeRun(dir, BREAKOUT.env, 1);
  const second = join(dir, `${BREAKOUT.env}-seed1`, 'logs', 'other-run');
  mkdirSync(second);
  writeFileSync(join(second, 'metrics.csv'), `${METRICS_CSV_HEADER}\n`);
  assert.throws(() => atariTableFromCsv(dir, [BREAKOUT]), /logs: 2 run folders; a game folder holds one run/);
});

test("a long run's many rows (more than a call takes arguments) make a row", (t) => {
  const dir = tableDir(t);
  const run = join(dir, `${BREAKOUT.env}-seed0`, 'logs', 'run');
  mkdirSync(run, { recursive: true });
  const rows = Array.from({ length: 200_000 }, (_, i) => `${i * 50},${START_S + i / 100},steps_per_s,1000`);
  writeFileSync(join(run, 'metrics.csv'), `${[METRICS_CSV_HEADER, ...rows].join('\n')}\n`);
  const [row] = atariTableFromCsv(dir, [BREAKOUT]).rows;
  assert.equal(row.envSteps, 199_999 * 50);
});

test('a game with two seed folders has a row per seed, in seed order', (t) => {
  const dir = tableDir(t);
  writeRun(dir, PONG.env, 3);
  writeRun(dir, PONG.env, 1);
  assert.deepEqual(atariTableFromCsv(dir, [PONG]).rows.map((row) => row.seed), [1, 3]);
});

/**
 * A long run's log as the trainer writes it: ~15 scalars per update, several updates a second, an
 * episode now and then, reward_100 repeated between episodes, and a pause between two sittings.
 */
function busyRun(): MetricRow[] {
  const rows: MetricRow[] = [];
  let [step, wall, episodes, reward100] = [0, START_S, 0, Number.NaN];
  for (let update = 0; update < 6000; update++) {
    step += 320;
    wall += update === 3000 ? 5000 : 0.15 + (update % 7) * 0.05;
    for (const tag of ['steps_per_s', 'loss_policy', 'loss_value', 'entropy']) rows.push({ step, wallTimeS: wall, tag, value: update % 13 });
    if (update % 40 === 39) {
      episodes++;
      rows.push({ step, wallTimeS: wall, tag: 'reward', value: episodes % 9 }, { step, wallTimeS: wall, tag: 'episode_steps', value: 1000 + episodes });
      reward100 = episodes / 10;
    }
    if (update % 500 === 499) rows.push({ step, wallTimeS: wall, tag: 'eval_reward', value: update });
    if (!Number.isNaN(reward100)) rows.push({ step, wallTimeS: wall, tag: 'reward_100', value: reward100 });
  }
  return rows;
}

test('archiveRows keeps every episode and eval, reward_100 where it changed, and the training minutes exactly', () => {
  const rows = busyRun();
  const kept = archiveRows(rows);
  assert.ok(kept.length < rows.length / 10, `kept ${kept.length} of ${rows.length} rows`);
  const ofTag = (list: MetricRow[], tag: string) => list.filter((row) => row.tag === tag);
  for (const tag of ['reward', 'episode_steps', 'eval_reward']) assert.deepEqual(ofTag(kept, tag), ofTag(rows, tag));
  const changes = ofTag(rows, 'reward_100').filter((row, i, all) => i === 0 || row.value !== all[i - 1].value);
  assert.deepEqual(ofTag(kept, 'reward_100'), changes);
  assert.equal(trainingSeconds(kept), trainingSeconds(rows));
  assert.deepEqual(kept[kept.length - 1], rows[rows.length - 1]);
});

test('archiveGame writes a game folder whose table row equals the full run\'s', (t) => {
  const dir = tableDir(t);
  const run = join(dir, 'runs', `${BREAKOUT.env}-seed2`, 'logs', 'run-a');
  mkdirSync(run, { recursive: true });
  const lines = busyRun().map((r) => `${r.step},${r.wallTimeS},${r.tag},${r.value}`);
  writeFileSync(join(run, 'metrics.csv'), `${[METRICS_CSV_HEADER, ...lines].join('\n')}\n`);
  writeFileSync(join(dir, 'runs', `${BREAKOUT.env}-seed2`, 'eval.json'), JSON.stringify({ checkpoint: 'c', envSteps: 1, episodes: 30, meanReward: 5 }));
  const archived = archiveGame(join(dir, 'runs', `${BREAKOUT.env}-seed2`), join(dir, 'archive'));
  assert.equal(archived, join(dir, 'archive', `${BREAKOUT.env}-seed2`));
  assert.deepEqual(readMetricsCsv(join(archived, 'logs', 'run-a', 'metrics.csv')), archiveRows(busyRun()));
  assert.equal(readFileSync(join(archived, 'eval.json'), 'utf8'), readFileSync(join(dir, 'runs', `${BREAKOUT.env}-seed2`, 'eval.json'), 'utf8'));
  assert.deepEqual(atariTableFromCsv(join(dir, 'archive'), [BREAKOUT]).rows, atariTableFromCsv(join(dir, 'runs'), [BREAKOUT]).rows);
  assert.throws(() => archiveGame(join(dir, 'runs', 'none'), join(dir, 'archive')), /none: no run to archive/);
});
