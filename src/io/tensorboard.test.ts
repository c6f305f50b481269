import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanRecords } from './tfrecord.js';
import {
  EVENT_FILE_PREFIX,
  EVENT_FILE_VERSION,
  TensorBoardWriter,
  decodeEvent,
  encodeScalarEvent,
  listEventFiles,
  readEvents,
  type ScalarEvent,
} from './tensorboard.js';

function tempRunDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-tb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A few tags logged at irregular steps, with values that need float32 rounding. */
function sampleScalars(count: number, firstStep = 0): ScalarEvent[] {
  const tags = ['reward', 'loss/policy', 'loss/value'];
  return Array.from({ length: count }, (_, i) => ({
    tag: tags[i % tags.length],
    value: Math.sin(i) * 100 + 1 / 3,
    step: firstStep + i * 37,
    wallTimeS: 1_700_000_000.25 + i * 0.5,
  }));
}

function writeAll(writer: TensorBoardWriter, scalars: ScalarEvent[]): void {
  for (const s of scalars) writer.scalar(s.tag, s.value, s.step, s.wallTimeS);
}

function expectedRead(scalars: ScalarEvent[]): ScalarEvent[] {
  return scalars.map((s) => ({ ...s, value: Math.fround(s.value) }));
}

test('Event{wall_time, step, summary{value{tag, simple_value}}} matches the wire format byte for byte', () => {
  // wall_time=1.5: key 0x09 (field 1, fixed64) + 0x3FF8000000000000 little-endian.
  // step=300: key 0x10 (field 2, varint) + 0xAC 0x02.
  // summary: key 0x2A (field 5, length-delimited), length 10, holding
  //   value: key 0x0A, length 8, holding tag key 0x0A len 1 "a", simple_value key 0x15 + 0.5f (0x3F000000).
  const expected = [
    0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
    0x10, 0xac, 0x02,
    0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 0x61, 0x15, 0, 0, 0, 0x3f,
  ];
  assert.deepEqual([...encodeScalarEvent('a', 0.5, 300, 1.5)], expected);
});

test('written file: version record first, then every scalar with verified checksums', (t) => {
  const runDir = tempRunDir(t);
  const scalars = sampleScalars(50);
  const writer = new TensorBoardWriter(runDir);
  writeAll(writer, scalars);
  writer.close();

  const [path] = listEventFiles(runDir);
  assert.match(basename(path), new RegExp(`^${EVENT_FILE_PREFIX.replaceAll('.', '\\.')}\\d{10}\\.`));
  const { records } = scanRecords(readFileSync(path), path);
  assert.equal(records.length, 1 + scalars.length);
  const first = decodeEvent(records[0]);
  assert.equal(first.fileVersion, EVENT_FILE_VERSION);
  assert.deepEqual(first.scalars, []);
  assert.deepEqual(readEvents(path), expectedRead(scalars));
});

test('a corrupted byte in the event file is reported with the record it is in', (t) => {
  const runDir = tempRunDir(t);
  const writer = new TensorBoardWriter(runDir);
  writeAll(writer, sampleScalars(3));
  writer.close();
  const [path] = listEventFiles(runDir);
  const bytes = readFileSync(path);
  bytes[bytes.length - 10] ^= 0xff; // inside the last record's data
  writeFileSync(path, bytes);
  assert.throws(() => readEvents(path), new RegExp(`${basename(path)}: record 3 at byte \\d+ has a bad data checksum`));
});

test('resume appends to the existing file without a second version record', (t) => {
  const runDir = tempRunDir(t);
  const before = sampleScalars(6);
  const after = sampleScalars(4, 1000);
  const first = new TensorBoardWriter(runDir);
  writeAll(first, before);
  first.close();
  const second = new TensorBoardWriter(runDir);
  writeAll(second, after);
  second.close();

  const files = listEventFiles(runDir);
  assert.equal(files.length, 1);
  const versions = scanRecords(readFileSync(files[0]), files[0]).records.filter((r) => decodeEvent(r).fileVersion);
  assert.equal(versions.length, 1);
  assert.deepEqual(readEvents(files[0]), expectedRead([...before, ...after]));
});

test('resume cuts a record half-written by a crash before appending', (t) => {
  const runDir = tempRunDir(t);
  const kept = sampleScalars(3);
  const first = new TensorBoardWriter(runDir);
  writeAll(first, kept);
  first.close();
  const [path] = listEventFiles(runDir);
  const whole = readFileSync(path);
  const lastRecordBytes = 12 + encodeScalarEvent(kept[2].tag, kept[2].value, kept[2].step, kept[2].wallTimeS).length + 4;
  appendFileSync(path, whole.subarray(whole.length - lastRecordBytes, whole.length - 5));
  assert.throws(() => readEvents(path), /cut short/);

  const resumed = sampleScalars(2, 500);
  const second = new TensorBoardWriter(runDir);
  writeAll(second, resumed);
  second.close();
  assert.deepEqual(readEvents(path), expectedRead([...kept, ...resumed]));
});

test('records stay buffered until flushBytes or flushIntervalMs is reached', (t) => {
  const runDir = tempRunDir(t);
  let nowMs = 1_700_000_000_000;
  const writer = new TensorBoardWriter(runDir, { flushBytes: 1 << 20, flushIntervalMs: 1000, nowMs: () => nowMs });
  const size = (): number => statSync(writer.path).size;
  const afterVersion = size();
  writer.scalar('a', 1, 1);
  nowMs += 999;
  writer.scalar('a', 2, 2);
  assert.equal(size(), afterVersion);
  nowMs += 1;
  writer.scalar('a', 3, 3);
  assert.ok(size() > afterVersion);
  assert.equal(readEvents(writer.path).length, 3);
  writer.scalar('a', 4, 4);
  writer.flush();
  assert.equal(readEvents(writer.path).length, 4);
  writer.close();
});

/** Python with tensorboard: $A3C_TB_PYTHON, else .venv-tb/bin/python in the repo root. */
function findTensorBoardPython(): string | null {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const python = process.env.A3C_TB_PYTHON ?? join(repoRoot, '.venv-tb', 'bin', 'python');
  if (!existsSync(python)) return null;
  return spawnSync(python, ['-c', 'import tensorboard'], { stdio: 'ignore' }).status === 0 ? python : null;
}

const LOAD_WITH_TENSORBOARD = `
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
acc.Reload()
print(json.dumps({tag: [[e.step, e.value, e.wall_time] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}))
`;

test("TensorBoard's own EventAccumulator reads back every scalar", (t) => {
  const python = findTensorBoardPython();
  if (!python) {
    t.skip('no Python with tensorboard: set A3C_TB_PYTHON or create .venv-tb (see .ci/run)');
    return;
  }
  const runDir = tempRunDir(t);
  const scalars = sampleScalars(30);
  const writer = new TensorBoardWriter(runDir);
  writeAll(writer, scalars);
  writer.close();

  const result = spawnSync(python, ['-c', LOAD_WITH_TENSORBOARD, runDir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const loaded = JSON.parse(result.stdout) as Record<string, [number, number, number][]>;
  const expected: Record<string, [number, number, number][]> = {};
  for (const s of expectedRead(scalars)) (expected[s.tag] ??= []).push([s.step, s.value, s.wallTimeS]);
  assert.deepEqual(loaded, expected);
});
