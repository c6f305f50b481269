import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { A3C } from '../src/algo/a3c.js';
import { MODES } from '../src/algo/config/config.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Env steps each mode may take to reach Corridor-v0's threshold; several times what it needs. */
const STEP_BUDGET = 300_000;

/** A user's project: the README's example env beside a node_modules/a3c-ts that is this package. */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'a3c-ts'), 'dir');
  copyFileSync(join(REPO_ROOT, 'examples', 'corridor.js'), join(dir, 'corridor.js'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}

function a3c(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const project = userProject();

for (const mode of MODES) {
  test(`${mode}: a user's env module trains to its threshold from the library`, async () => {
    const result = await new A3C({ env: 'Corridor-v0', envModule: join(project, 'corridor.js'), mode, seed: 2, maxSteps: STEP_BUDGET }).learn();
    assert.equal(result.stopReason, 'solved', `stopped by ${result.stopReason} at ${result.steps} steps, reward_100 ${result.meanReward}`);
    assert.ok(result.meanReward! >= 0.9);
  });
}

test('the CLI trains a user env by relative module path; eval and resume find the module from anywhere', () => {
  const checkpoint = join(project, 'ckpt');
  const train = a3c(project, 'train', '--env-module', './corridor.js', '--env', 'Corridor-v0', '--mode', 'grad', '--max-steps', String(STEP_BUDGET), '--checkpoint', checkpoint, '--json');
  assert.equal(train.code, 0, train.stderr);
  const summary = JSON.parse(train.stdout);
  assert.equal(summary.solved, true, train.stderr);
  const elsewhere = mkdtempSync(join(tmpdir(), 'a3c-elsewhere-'));
  const evaluation = a3c(elsewhere, 'eval', '--checkpoint', checkpoint, '--episodes', '5', '--json');
  assert.equal(evaluation.code, 0, evaluation.stderr);
  assert.ok(JSON.parse(evaluation.stdout).mean_reward >= 0.9, evaluation.stdout);
  const resumed = a3c(elsewhere, 'train', '--resume', checkpoint, '--stop-reward', '1e9', '--max-steps', String(summary.steps + 20_000), '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(JSON.parse(resumed.stdout).steps >= summary.steps + 20_000);
});

test('a module that cannot be imported, or an export that is not a registration, is one clear line', () => {
  const missing = a3c(project, 'train', '--env-module', './nowhere.js', '--env', 'Corridor-v0');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr.trim(), new RegExp(`^a3c: env module "${join(project, 'nowhere.js')}" cannot be imported: Cannot find module .*nowhere\\.js`));
  const wrongExport = a3c(project, 'train', '--env-module', './corridor.js#Corridor', '--env', 'Corridor-v0');
  assert.equal(wrongExport.code, 1);
  assert.equal(wrongExport.stderr.trim(), `a3c: env module "${join(project, 'corridor.js')}" has no export "Corridor"; its exports: none`);
});

test('an env registered in this thread only is refused for agent threads, with the way out', async () => {
  const { registerEnv } = await import('../src/envs/registry.js');
  const { CartPoleEnv } = await import('../src/envs/classic-control/cart-pole.js');
  registerEnv({ id: 'LocalOnly-v0', maxEpisodeSteps: 50, entryPoint: () => new CartPoleEnv('LocalOnly-v0') });
  await assert.rejects(new A3C({ env: 'LocalOnly-v0', mode: 'data' }).learn(), /registered in this thread only, and data mode runs its agents on other threads: .*--env-module/);
  const synchronous = await new A3C({ env: 'LocalOnly-v0', mode: 'a2c', maxSteps: 2_000, stopReward: 1e9 }).learn();
  assert.equal(synchronous.stopReason, 'max-steps', 'a2c runs it in this thread');
});
