import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_CONFIG_FILE } from '../src/algo/training/run-folder.js';
import { resolveConfig } from '../src/algo/training/resolve-config.js';
import { METRICS_CSV_HEADER } from '../src/io/metrics-csv.js';
import { pongLearnFromCsv, pongLearnTables } from './pong-learn-suite.js';

const START_S = 1_700_000_000;

/** A run folder whose metrics.csv climbs from -21 to 5 over 60 minutes, logged as the run logger does (long format, other tags between). */
function syntheticRun(t: { after: (fn: () => void) => void }, withConfig: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-pong-learn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = [METRICS_CSV_HEADER, `0,${START_S},steps_per_s,0`];
  const points: [minute: number, step: number, reward100: number][] = [
    [1, 60_000, -21],
    [10, 600_000, -16],
    [20, 1_200_000, -15],
    [30, 1_800_000, -14.5],
    [45, 2_700_000, 0.25],
    [50, 3_000_000, -1],
    [60, 3_600_000, 5],
  ];
  for (const [minute, step, reward] of points) {
    lines.push(`${step},${START_S + minute * 60},reward,${reward}`, `${step},${START_S + minute * 60},reward_100,${reward}`, `${step},${START_S + minute * 60},loss_total,0.5`);
  }
  writeFileSync(join(dir, 'metrics.csv'), `${lines.join('\n')}\n`);
  if (withConfig) writeFileSync(join(dir, RUN_CONFIG_FILE), JSON.stringify(resolveConfig({ env: 'PongNoFrameskip-v4', seed: 3 })));
  return dir;
}

test('a finished run: each milestone at the first reward_100 row reaching it, minutes from the first row, final figures', (t) => {
  const dir = syntheticRun(t, true);
  const report = pongLearnFromCsv(join(dir, 'metrics.csv'));
  assert.deepEqual(report.milestones, [
    { reward100: -15, envSteps: 1_200_000, minutes: 20, evalEnvSteps: null, evalMinutes: null },
    { reward100: 0, envSteps: 2_700_000, minutes: 45, evalEnvSteps: null, evalMinutes: null },
    { reward100: 10, envSteps: null, minutes: null, evalEnvSteps: null, evalMinutes: null },
    { reward100: 18, envSteps: null, minutes: null, evalEnvSteps: null, evalMinutes: null },
  ]);
  assert.deepEqual(report.final, { envSteps: 3_600_000, minutes: 60, reward100: 5, envStepsPerS: 1000, evalReward: null });
  assert.deepEqual(report.run, { env: 'PongNoFrameskip-v4', mode: 'data', preset: null, seed: 3 });
  assert.equal(report.train, null);
  const [milestones, final] = pongLearnTables(report);
  assert.match(milestones, /^PongNoFrameskip-v4 data seed 3: when reward_100 first reached each milestone/);
  assert.match(milestones, /\n-15 +1,200,000 +20 *\n/);
  assert.match(milestones, /\n10 +not reached +not reached\n/);
  assert.match(final, /CPU .+\n.*\n.*\n *3,600,000 +60 +5 +1,000$/);
  assert.equal(report.evaluated, false);
  assert.doesNotMatch(milestones, /eval/);
});

test('a run with --eval-every: milestones by eval_reward beside those by reward_100', (t) => {
  const dir = syntheticRun(t, true);
  const csv = join(dir, 'metrics.csv');
  // Greedy evaluations run ahead of the exploring policy's mean-100.
  const evals: [minute: number, step: number, evalReward: number][] = [
    [15, 900_000, -19],
    [25, 1_500_000, 2],
    [40, 2_400_000, 11],
    [55, 3_300_000, 9],
  ];
  const [header, ...lines] = readFileSync(csv, 'utf8').trimEnd().split('\n');
  lines.push(...evals.map(([minute, step, reward]) => `${step},${START_S + minute * 60},eval_reward,${reward}`));
  const wallTime = (line: string) => Number(line.split(',')[1]);
  writeFileSync(csv, `${[header, ...lines.sort((a, b) => wallTime(a) - wallTime(b))].join('\n')}\n`);
  const report = pongLearnFromCsv(csv);
  assert.equal(report.evaluated, true);
  assert.deepEqual(
    report.milestones.map((m) => [m.reward100, m.envSteps, m.evalEnvSteps, m.evalMinutes]),
    [
      [-15, 1_200_000, 1_500_000, 25],
      [0, 2_700_000, 1_500_000, 25],
      [10, null, 2_400_000, 40],
      [18, null, null, null],
    ],
  );
  assert.equal(report.final.evalReward, 9);
  const [milestones, final] = pongLearnTables(report);
  assert.match(milestones, /when reward_100 and eval_reward first reached/);
  assert.match(milestones, /\n10 +not reached +not reached +2,400,000 +40 *\n/);
  assert.match(final, /eval_reward\n.*\n *3,600,000 +60 +5 +1,000 +9$/);
});

test('without run.json the run is unnamed; a missing, empty or malformed metrics.csv is refused naming the file', (t) => {
  const dir = syntheticRun(t, false);
  const report = pongLearnFromCsv(join(dir, 'metrics.csv'));
  assert.equal(report.run, null);
  assert.match(pongLearnTables(report)[0], /^run: when reward_100/);
  const missing = join(dir, 'none.csv');
  assert.throws(() => pongLearnFromCsv(missing), { message: `${missing}: no such file; expected the metrics.csv of a --logdir run folder` });
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, `${METRICS_CSV_HEADER}\n`);
  assert.throws(() => pongLearnFromCsv(empty), { message: `${empty}: no rows: expected the scalars of a run (metrics.csv of a --logdir run folder)` });
  const malformed = join(dir, 'malformed.csv');
  writeFileSync(malformed, `${METRICS_CSV_HEADER}\n10,1.5,reward_100\n`);
  assert.throws(() => pongLearnFromCsv(malformed), /malformed\.csv:2: expected "step,wall_time,tag,value" values/);
});
