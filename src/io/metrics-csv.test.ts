import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS_CSV_HEADER, MetricsCsvWriter, readMetricsCsv, type MetricRow } from './metrics-csv.js';

function tempRunDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sampleRows(count: number, firstStep = 0): MetricRow[] {
  const tags = ['reward', 'loss/entropy'];
  return Array.from({ length: count }, (_, i) => ({
    step: firstStep + i * 128,
    wallTimeS: 1_700_000_000.123 + i / 7,
    tag: tags[i % tags.length],
    value: Math.exp(i / 3) - 0.1,
  }));
}

function writeAll(writer: MetricsCsvWriter, rows: MetricRow[]): void {
  for (const r of rows) writer.scalar(r.tag, r.value, r.step, r.wallTimeS);
}

test('rows read back exactly as written, special values included', (t) => {
  const runDir = tempRunDir(t);
  const rows = [...sampleRows(20), { step: 9999, wallTimeS: 1.5, tag: 'nan', value: NaN }, { step: 9999, wallTimeS: 1.5, tag: 'inf', value: -Infinity }];
  const writer = new MetricsCsvWriter(runDir);
  writeAll(writer, rows);
  writer.close();
  assert.equal(readFileSync(writer.path, 'utf8').split('\n')[0], METRICS_CSV_HEADER);
  assert.deepEqual(readMetricsCsv(writer.path), rows);
});

test('resume appends below the old rows with one header, dropping a torn last line', (t) => {
  const runDir = tempRunDir(t);
  const before = sampleRows(5);
  const after = sampleRows(3, 10_000);
  const first = new MetricsCsvWriter(runDir);
  writeAll(first, before);
  first.close();
  appendFileSync(first.path, '640,1700000001,rew');
  const second = new MetricsCsvWriter(runDir);
  writeAll(second, after);
  second.close();
  const text = readFileSync(second.path, 'utf8');
  assert.equal(text.split(METRICS_CSV_HEADER).length - 1, 1);
  assert.deepEqual(readMetricsCsv(second.path), [...before, ...after]);
});

test('a file with a different header is refused rather than mixed', (t) => {
  const runDir = tempRunDir(t);
  writeFileSync(join(runDir, 'metrics.csv'), 'step,reward\n1,2\n');
  assert.throws(() => new MetricsCsvWriter(runDir), /header is "step,reward", expected "step,wall_time,tag,value"/);
});

test('tags needing CSV quoting and bad steps are refused; malformed rows name their line', (t) => {
  const runDir = tempRunDir(t);
  const writer = new MetricsCsvWriter(runDir);
  assert.throws(() => writer.scalar('a,b', 1, 1), /tag "a,b" contains a comma/);
  assert.throws(() => writer.scalar('a', 1, -1), /non-negative integer, got -1/);
  writer.close();
  appendFileSync(writer.path, '1,2,a,3\n1,2,a\n');
  assert.throws(() => readMetricsCsv(writer.path), /metrics\.csv:3: expected/);
});
