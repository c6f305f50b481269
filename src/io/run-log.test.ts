import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricsCsv } from './metrics-csv.js';
import { RunLog } from './run-log.js';
import { readEvents } from './tensorboard.js';

test('each scalar reaches the event file and metrics.csv with the same step and wall time', (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'a3c-runlog-'));
  t.after(() => rmSync(runDir, { recursive: true, force: true }));
  let nowMs = 1_700_000_000_000;
  const log = new RunLog(runDir, { nowMs: () => (nowMs += 250) });
  const logged = [['reward', 12.5, 100], ['loss/value', 0.03125, 100], ['reward', 40, 350]] as const;
  for (const [tag, value, step] of logged) log.scalar(tag, value, step);
  assert.throws(() => log.scalar('bad,tag', 1, 400), /comma/);
  log.close();

  const csv = readMetricsCsv(log.csv.path);
  const events = readEvents(log.tensorBoard.path);
  assert.deepEqual(csv.map((r) => [r.tag, r.value, r.step]), logged);
  assert.deepEqual(events.map((e) => ({ tag: e.tag, step: e.step, wallTimeS: e.wallTimeS })), csv.map((r) => ({ tag: r.tag, step: r.step, wallTimeS: r.wallTimeS })));
  assert.deepEqual(events.map((e) => e.value), logged.map(([, value]) => Math.fround(value)));
});
