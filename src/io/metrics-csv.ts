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
import { BufferedAppendFile, type BufferedAppendFileArgs } from './buffered-append-file.js';

export const METRICS_CSV_NAME = 'metrics.csv';
export const METRICS_CSV_HEADER = 'step,wall_time,tag,value';
const COLUMN_COUNT = 4;
const MS_PER_S = 1000;
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
export class MetricsCsvWriter {
  readonly path: string;
  private readonly file: BufferedAppendFile;
  private readonly nowMs: () => number;

  constructor(runDir: string, args: BufferedAppendFileArgs = {}) {
    mkdirSync(runDir, { recursive: true });
    this.nowMs = args.nowMs ?? Date.now;
    this.path = join(runDir, METRICS_CSV_NAME);
    const hasHeader = prepareForAppend(this.path);
    this.file = new BufferedAppendFile(this.path, args);
    if (!hasHeader) {
      this.file.append(utf8.encode(`${METRICS_CSV_HEADER}\n`));
      this.file.flush();
    }
  }

  scalar(tag: string, value: number, step: number, wallTimeS = this.nowMs() / MS_PER_S): void {
    if (FORBIDDEN_TAG_CHARS.test(tag)) {
      throw new Error(`metrics.csv: tag ${JSON.stringify(tag)} contains a comma, quote or newline; use "/" or "_" instead`);
    }
    if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`metrics.csv: step must be a non-negative integer, got ${step}`);
    this.file.append(utf8.encode(`${step},${wallTimeS},${tag},${value}\n`));
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    this.file.close();
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
