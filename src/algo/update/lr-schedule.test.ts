import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduledLr } from './lr-schedule.js';

test('constant keeps lr; linear falls from lr at step 0 to 0 at maxSteps and stays there', () => {
  assert.equal(scheduledLr({ lr: 0.01, lrSchedule: 'constant', maxSteps: 100 }, 90), 0.01);
  assert.equal(scheduledLr({ lr: 0.01, lrSchedule: 'constant', maxSteps: null }, 90), 0.01);
  const linear = { lr: 0.01, lrSchedule: 'linear', maxSteps: 400 } as const;
  assert.deepEqual([0, 100, 200, 400, 500].map((k) => scheduledLr(linear, k)), [0.01, 0.01 * 0.75, 0.01 * 0.5, 0, 0]);
  assert.throws(() => scheduledLr({ ...linear, maxSteps: null }, 0), { message: 'lrSchedule linear needs maxSteps, the step at which the lr reaches 0' });
});
