import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateCheckpoint } from '../src/algo/training/evaluate.js';
import { initBackend } from '../src/nn/kernels/backend.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function a3c(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastErrorLine(stderr: string): string {
  return stderr.trim().split('\n').at(-1)!;
}

test('train --json prints one summary line; eval plays the checkpoint it saved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-cli-'));
  const checkpoint = join(dir, 'ckpt');
  const train = a3c('train', '--mode', 'a2c', '--max-steps', '3000', '--checkpoint', checkpoint, '--json', '--seed', '3');
  assert.equal(train.code, 0, train.stderr);
  const lines = train.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const summary = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(summary).sort(), ['backend', 'checkpoint', 'env', 'episodes', 'eval_reward', 'mean_reward', 'mode', 'seconds', 'solved', 'steps', 'steps_per_s'].sort());
  assert.equal(summary.env, 'CartPole-v1');
  assert.equal(summary.mode, 'a2c');
  assert.equal(summary.solved, false);
  assert.ok(summary.steps >= 3000);
  assert.match(summary.checkpoint, new RegExp(`^${checkpoint}/step-\\d+$`));

  const evaluation = a3c('eval', '--checkpoint', checkpoint, '--episodes', '3', '--seed', '11', '--json');
  assert.equal(evaluation.code, 0, evaluation.stderr);
  const result = JSON.parse(evaluation.stdout.trim());
  assert.equal(result.episodes, 3);
  // Greedy play is deterministic: the CLI must report what the saved policy scores on those seeds.
  await initBackend({});
  const expected = await evaluateCheckpoint(summary.checkpoint, { episodes: 3, seed: 11 });
  assert.equal(result.mean_reward, expected.meanReward);
  const text = a3c('eval', '--checkpoint', checkpoint, '--episodes', '3', '--seed', '11');
  assert.equal(text.stdout, [...expected.rewards.map((r, i) => `episode ${i + 1}: reward ${r} length ${expected.lengths[i]}`), `CartPole-v1: mean reward ${expected.meanReward.toFixed(2)} over 3 episodes`, ''].join('\n'));
});

test('a config file sets hyper-parameters and flags override it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-cli-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ mode: 'a2c', maxSteps: 1000, lr: 'fast' }));
  const bad = a3c('train', '--config', config);
  assert.equal(bad.code, 1);
  assert.equal(lastErrorLine(bad.stderr), 'a3c: lr must be a positive number, got "fast"');
  writeFileSync(config, JSON.stringify({ mode: 'a2c', maxSteps: 1000, lr: 0.01 }));
  const good = a3c('train', '--config', config, '--max-steps', '500', '--json');
  assert.equal(good.code, 0, good.stderr);
  const summary = JSON.parse(good.stdout.trim());
  assert.ok(summary.steps >= 500 && summary.steps < 1000, `flag --max-steps 500 wins over the file's 1000: ${summary.steps}`);
});

test('invalid flags give a one-line error and a non-zero exit', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--workers', '-2'], /^a3c: workers must be a non-negative integer, got -2$/],
    [['train', '--mode', 'fast'], /^error: option '--mode <mode>' argument 'fast' is invalid\. Allowed choices are data, grad, a2c, hogwild\.$/],
    [['train', '--lr', 'abc'], /^error: option '--lr <x>' argument 'abc' is invalid\. "abc" is not a number\.$/],
    [['train', '--env', 'CartPol-v1'], /^a3c: unknown env "CartPol-v1"; did you mean "CartPole-v1"\?/],
    [['web', '--port', '99999'], /^a3c: --port must be 0 \(a free port\) to 65535, got 99999$/],
  ];
  for (const [args, expected] of cases) {
    const r = a3c(...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), expected);
  }
});

test('a boolean flag alone means true and --no-FLAG false, leaving the next flag alone; --FLAG true|false still works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-cli-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ normalizeObs: true, normalizeReward: true }));
  // The config a tiny run resolved, from the run.json it writes in its log folder.
  const resolved = (...flags: string[]) => {
    const logdir = mkdtempSync(join(dir, 'run-'));
    const r = a3c('train', '--mode', 'a2c', '--workers', '1', '--envs-per-worker', '1', '--batch-size', '8', '--max-steps', '16', '--logdir', logdir, ...flags);
    assert.equal(r.code, 0, `${flags.join(' ')}: ${r.stderr}`);
    const [run] = readdirSync(logdir);
    const config = JSON.parse(readFileSync(join(logdir, run, 'run.json'), 'utf8'));
    return [config.normalizeObs, config.normalizeReward, config.seed];
  };
  assert.deepEqual(resolved('--normalize-obs', '--seed', '3'), [true, false, 3], 'the issue\'s command: a bare flag before another');
  assert.deepEqual(resolved('--normalize-obs', 'false', '--normalize-reward'), [false, true, 0], 'a value, then a bare flag last');
  assert.deepEqual(resolved('--normalize-obs', 'true', '--seed', '2'), [true, false, 2]);
  assert.deepEqual(resolved('--config', file), [true, true, 0], 'no flag: the file decides');
  assert.deepEqual(resolved('--config', file, '--no-normalize-obs', '--normalize-reward', 'false'), [false, false, 0], 'flags over the file');
  const bad = a3c('train', '--normalize-obs', 'yes');
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stderr.trim(), `error: option '--normalize-obs [bool]' argument 'yes' is invalid. "yes" is not true or false.`);
});

test('a corrupt or missing checkpoint gives a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-cli-'));
  const checkpoint = join(dir, 'ckpt');
  assert.equal(a3c('train', '--mode', 'a2c', '--max-steps', '500', '--checkpoint', checkpoint).code, 0);
  const snapshot = join(checkpoint, readFileSync(join(checkpoint, 'latest'), 'utf8').trim());
  const weights = join(snapshot, 'weights.bin');
  const bytes = readFileSync(weights);
  bytes[10] ^= 0xff;
  writeFileSync(weights, bytes);
  const corrupt = a3c('eval', '--checkpoint', checkpoint);
  assert.equal(corrupt.code, 1);
  assert.equal(lastErrorLine(corrupt.stderr), `a3c: checkpoint ${snapshot}: weights.bin is corrupt (checksum mismatch)`);
  const missing = a3c('eval', '--checkpoint', join(dir, 'nothing'));
  assert.equal(lastErrorLine(missing.stderr), `a3c: checkpoint ${join(dir, 'nothing')}: no such file or folder`);
});

test('Ctrl-C finishes the update, saves the checkpoint and exits cleanly with the summary', async () => {
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'a3c-cli-'));
  const checkpoint = join(dir, 'ckpt');
  const child = spawn(process.execPath, [CLI, 'train', '--mode', 'data', '--workers', '1', '--checkpoint', checkpoint, '--json', '--stop-reward', '1e9']);
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const started = new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('agents: ')) resolve();
    }),
  );
  await started;
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout.trim());
  assert.match(summary.checkpoint, new RegExp(`^${checkpoint}/step-\\d+$`));
  assert.ok(summary.steps > 0);
  assert.match(stderr, /stopped \(interrupted\): CartPole-v1 data/);
  const saved = JSON.parse(readFileSync(join(summary.checkpoint, 'manifest.json'), 'utf8'));
  assert.equal(saved.counters.envSteps, summary.steps);
});
