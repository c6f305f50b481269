import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../utils/rng.js';
import { INITIAL_COUNT, RunningMeanStd } from './running-mean-std.js';

const TOLERANCE = 1e-12;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = TOLERANCE): void {
  Array.from(expected).forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= tolerance * Math.max(1, Math.abs(e)), `${what}[${i}]: ${actual[i]} vs ${e}`));
}

test('the moments of a batch are its mean and population variance', () => {
  const stats = new RunningMeanStd(2);
  // Rows (1, 10), (2, 20), (6, 60): means 3 and 30, variances (4 + 1 + 9) / 3 and 100 times that.
  stats.update([1, 10, 2, 20, 6, 60], 3);
  assert.equal(stats.count, 3);
  assertClose(stats.mean, [3, 30], 'mean');
  assertClose(stats.var, [14 / 3, 1400 / 3], 'var');
});

test('batches merged in any split and order give the moments of all the data (Chan et al.)', () => {
  const rng = new Rng(4);
  const rows = 50;
  const data = Float64Array.from({ length: rows * 3 }, () => 5 + 3 * rng.normal());
  const whole = new RunningMeanStd(3);
  whole.update(data, rows);

  const parts = [7, 20, 1, 22];
  const split: RunningMeanStd[] = [];
  let row = 0;
  for (const n of parts) {
    const part = new RunningMeanStd(3);
    part.update(data.subarray(row * 3, (row + n) * 3), n);
    split.push(part);
    row += n;
  }
  const merged = new RunningMeanStd(3);
  for (const part of [split[2], split[0], split[3], split[1]]) merged.merge(part);
  assert.equal(merged.count, rows);
  assertClose(merged.mean, whole.mean, 'mean', 1e-12);
  assertClose(merged.var, whole.var, 'var', 1e-12);
});

test("SB3's starting statistics: count 1e-4, mean 0, var 1; an empty increment changes nothing", () => {
  const stats = new RunningMeanStd(2, true);
  assert.equal(stats.count, INITIAL_COUNT);
  assert.deepEqual(Array.from(stats.var), [1, 1]);
  stats.merge(new RunningMeanStd(2));
  assert.equal(stats.count, INITIAL_COUNT);
  stats.update([4, 4], 1);
  // One row after the tiny prior: the mean moves almost all the way, as SB3's does.
  assertClose(stats.mean, [(4 * 1) / (1 + INITIAL_COUNT), (4 * 1) / (1 + INITIAL_COUNT)], 'mean');
  const copy = RunningMeanStd.from(stats.moments());
  assert.deepEqual(copy.moments(), stats.moments());
  stats.clear();
  assert.deepEqual(stats.moments(), { count: 0, mean: new Float64Array(2), var: new Float64Array(2) });
});

test('misuse is refused with the sizes', () => {
  assert.throws(() => new RunningMeanStd(2).update([1, 2, 3], 2), /3 values are not 2 rows of 2/);
  assert.throws(() => new RunningMeanStd(2).merge(new RunningMeanStd(3)), /moments of size 3 into statistics of size 2/);
  assert.throws(() => new RunningMeanStd(0), /size must be a positive integer/);
});
