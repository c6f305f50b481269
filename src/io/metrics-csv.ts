/**
 * `metrics.csv`: the same scalars as the event file, in long format, one scalar per row:
 *
 *   step,wall_time,tag,value
 *   2048,1718000000.123,reward,21
 *
 * Long rather than wide so that a tag first logged mid-run (or after a resume) needs no new column
 * and the file stays appendable. Numbers are written in JavaScript's shortest round-trip form
 * (`NaN` and `Infinity` included), so reading gives back exactly what was written.
 * Pandas: `pd.read_csv(p).pivot_table(index="step", columns="tag", values="value")`.
 */
import { existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { BufferedAppendFileArgs } from './buffered-append-file.js';
import { ScalarFileWriter } from './scalar-file-writer.js';

export const METRICS_CSV_NAME = 'metrics.csv';
export const METRICS_CSV_HEADER = 'step,wall_time,tag,value';
const COLUMN_COUNT = 4;
/** Characters that would need CSV quoting; tags are names like "loss/policy", so they are refused instead. */
const FORBIDDEN_TAG_CHARS = /[",\r\n]/;

export interface MetricRow {
  step: number;
  wallTimeS: number;
  tag: string;
  value: number;
}

const utf8 = new TextEncoder();

/**
 * Appends rows to `runDir/metrics.csv`, writing the header only when the file is new. On resume it
 * checks the header and drops a last line left without its newline by a crash.
 */
export class MetricsCsvWriter extends ScalarFileWriter {
  constructor(runDir: string, args: BufferedAppendFileArgs = {}) {
    mkdirSync(runDir, { recursive: true });
    const path = join(runDir, METRICS_CSV_NAME);
    const hasHeader = prepareForAppend(path);
    super(path, hasHeader ? null : utf8.encode(`${METRICS_CSV_HEADER}\n`), args);
  }

  /** Refuses tags that would need CSV quoting and steps that are not non-negative integers. */
  protected encode(tag: string, value: number, step: number, wallTimeS: number): Uint8Array {
    if (FORBIDDEN_TAG_CHARS.test(tag)) {
      throw new Error(`metrics.csv: tag ${JSON.stringify(tag)} contains a comma, quote or newline; use "/" or "_" instead`);
    }
    if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`metrics.csv: step must be a non-negative integer, got ${step}`);
    return Buffer.from(`${step},${wallTimeS},${tag},${value}\n`);
  }
}

/**
 * Readies an existing file for appending: checks its header and cuts a line left without its
 * newline by a crash. Returns whether a header is in place.
 */
function prepareForAppend(path: string): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const headerEnd = text.indexOf('\n');
  if (headerEnd === -1) {
    truncateSync(path, 0);
    return false;
  }
  if (text.slice(0, headerEnd) !== METRICS_CSV_HEADER) {
    throw new Error(`${path}: header is "${text.slice(0, headerEnd)}", expected "${METRICS_CSV_HEADER}"; move the file aside to start a new one`);
  }
  if (!text.endsWith('\n')) truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  return true;
}

/** Reads a metrics.csv written by MetricsCsvWriter; throws naming the line on a malformed row. */
export function readMetricsCsv(path: string): MetricRow[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[0] !== METRICS_CSV_HEADER) {
    throw new Error(`${path}: header is "${lines[0]}", expected "${METRICS_CSV_HEADER}"`);
  }
  const rows: MetricRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = lines[i].split(',');
    const [step, wallTimeS, value] = [Number(cells[0]), Number(cells[1]), Number(cells[3])];
    if (cells.length !== COLUMN_COUNT || !Number.isSafeInteger(step) || Number.isNaN(wallTimeS) || (Number.isNaN(value) && cells[3] !== 'NaN')) {
      throw new Error(`${path}:${i + 1}: expected "${METRICS_CSV_HEADER}" values, got "${lines[i]}"`);
    }
    rows.push({ step, wallTimeS, tag: cells[2], value });
  }
  return rows;
}
