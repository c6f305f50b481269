import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalChild, progressOf, trainChild } from './cli-child.js';

test('progressOf reads the seconds and env steps of a plain progress line only', () => {
  const line = 'BreakoutNoFrameskip-v4 data 3630s steps 3698192 episodes 6929 reward_100 46.4 933 steps/s agents 4';
  assert.deepEqual(progressOf(line), { seconds: 3630, envSteps: 3698192 });
  assert.equal(progressOf('resuming runs/x/checkpoint/step-000002978040 at 2978040 steps, 6279 episodes'), null);
});

test('a failing child rejects with its last stderr lines; a finished one gives its --json summary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-cli-child-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  await assert.rejects(trainChild(['train', '--env', 'NoSuchEnv-v0', '--json'], (line) => lines.push(line)), (error: Error) => {
    assert.match(error.message, /^a3c train exited with code 1; its last lines:\n[^]*NoSuchEnv-v0/);
    return true;
  });
  assert.ok(lines.some((line) => line.includes('NoSuchEnv-v0')), 'stderr lines are passed on');
  const missing = join(dir, 'none');
  await assert.rejects(evalChild(missing, 1), new RegExp(`^Error: a3c eval --checkpoint ${missing} exited with code 1: .*none`));

  const checkpoint = join(dir, 'ckpt');
  const summary = await trainChild(['train', '--mode', 'a2c', '--max-steps', '2000', '--checkpoint', checkpoint, '--json'], () => {});
  assert.equal(summary.env, 'CartPole-v1');
  assert.ok(summary.steps >= 2000);
  assert.equal(typeof (await evalChild(checkpoint, 2)), 'number');
});
