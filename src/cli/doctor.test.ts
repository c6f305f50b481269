// `a3c doctor`: each component's state and fix from given facts, and the command on this machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { oneDnnStatus } from '../nn/kernels/onednn-kernels.js';
import { diagnose, formatReport, learnerFallbackHint, type Check, type DoctorFacts } from './doctor.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
const COMPONENTS = ['learner', 'python', 'gymnasium', 'ale-py', 'numpy', 'opencv-python-headless', 'ale-roms', 'mujoco', 'chromium', 'redis'];

const ALL_THERE: DoctorFacts = {
  learner: { version: '2.6.3' },
  nativeDisabled: false,
  oneDnnHeaderMajor: 2,
  python: {
    path: '/home/u/.cache/a3c-ts/venv/bin/python',
    source: 'venv',
    version: '3.11.7',
    modules: { gymnasium: { version: '1.3.0' }, 'ale-py': { version: '0.12.1' }, numpy: { version: '2.4.6' }, 'opencv-python-headless': { version: '5.0.0' }, mujoco: { version: '3.3.0' } },
    romCount: 108,
  },
  basePython: true,
  chromium: '/usr/bin/chromium',
  redis: '/usr/bin/redis-server 7.0.15',
};

function byName(checks: Check[]): Record<string, Check> {
  return Object.fromEntries(checks.map((c) => [c.name, c]));
}

test('a machine with everything: every component ok, nothing to fix', () => {
  const checks = diagnose(ALL_THERE);
  assert.deepEqual(checks.map((c) => c.name), COMPONENTS);
  for (const check of checks) assert.deepEqual([check.name, check.state, check.fix], [check.name, 'ok', null]);
  assert.match(byName(checks).learner.detail, /^native: oneDNN 2\.6\.3/);
});

test('a bare machine: each component missing, with the one command that adds it', () => {
  const checks = byName(
    diagnose({
      ...ALL_THERE,
      learner: { reason: 'onednn.node is not built' },
      oneDnnHeaderMajor: null,
      python: { ...ALL_THERE.python, version: null, modules: {}, romCount: null },
      basePython: false,
      chromium: null,
      redis: null,
    }),
  );
  assert.equal(checks.learner.state, 'missing');
  assert.match(checks.learner.detail, /^wasm only.*onednn\.node is not built/);
  assert.match(checks.learner.fix!, /^apt-get install libdnnl-dev && node \S+\/scripts\/build-native\.mjs$/);
  assert.match(checks.python.fix!, /^apt-get install python3 python3-venv && node \S+\/dist\/src\/envs\/gym-bridge\/setup\.js$/);
  for (const name of ['gymnasium', 'ale-py', 'numpy', 'opencv-python-headless', 'ale-roms']) {
    assert.deepEqual([checks[name].state, checks[name].fix], ['missing', checks.python.fix]);
  }
  assert.equal(checks.mujoco.fix, `${checks.python.fix} && /home/u/.cache/a3c-ts/venv/bin/python -m pip install mujoco`);
  assert.equal(checks.chromium.fix, 'apt-get install chromium');
  assert.equal(checks.redis.fix, 'apt-get install redis-server');
});

test('the fix follows the cause: venv not made yet, a user interpreter without packages, A3C_NATIVE=0, oneDNN 3', () => {
  const noVenv = byName(diagnose({ ...ALL_THERE, python: { ...ALL_THERE.python, version: null, modules: {}, romCount: null } }));
  assert.match(noVenv.python.detail, /^no venv at \/home\/u\/\.cache\/a3c-ts\/venv\/bin\/python yet/);
  assert.match(noVenv.python.fix!, /^node \S+\/setup\.js$/);

  const userPython = byName(
    diagnose({
      ...ALL_THERE,
      python: { ...ALL_THERE.python, path: '/usr/bin/python3', source: 'A3C_PYTHON', modules: { ...ALL_THERE.python.modules, 'ale-py': { error: "ModuleNotFoundError: No module named 'ale_py'" }, mujoco: { error: 'ModuleNotFoundError' } }, romCount: null },
    }),
  );
  assert.equal(userPython['ale-py'].fix, '/usr/bin/python3 -m pip install ale-py');
  assert.equal(userPython['ale-roms'].fix, "/usr/bin/python3 -m pip install 'ale-py>=0.9'");
  assert.equal(userPython.mujoco.fix, '/usr/bin/python3 -m pip install mujoco');
  assert.equal(userPython.gymnasium.state, 'ok');

  const disabled = byName(diagnose({ ...ALL_THERE, learner: { reason: 'disabled by A3C_NATIVE=0' }, nativeDisabled: true }));
  assert.deepEqual([disabled.learner.state, disabled.learner.fix], ['disabled', 'unset A3C_NATIVE']);

  const oneDnn3 = byName(diagnose({ ...ALL_THERE, learner: { reason: 'not built' }, oneDnnHeaderMajor: 3 }));
  assert.match(oneDnn3.learner.detail, /oneDNN 3\.x is installed, the addon needs 2\.x/);
});

test('the text report puts a fix line under each component that is not ok', () => {
  const text = formatReport(diagnose({ ...ALL_THERE, redis: null }));
  const lines = text.trimEnd().split('\n');
  const redis = lines.findIndex((l) => /^ {2}redis +missing /.test(l));
  assert.ok(redis > 0, text);
  assert.match(lines[redis + 1], /^ +fix: apt-get install redis-server$/);
  assert.equal(lines.filter((l) => l.includes('fix:')).length, 1);
});

test('a3c doctor exits 0 and lists every component with its state, as text and as JSON', () => {
  const json = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(json.status, 0, json.stderr);
  const { checks } = JSON.parse(json.stdout) as { checks: Check[] };
  assert.deepEqual(checks.map((c) => c.name), COMPONENTS);
  for (const check of checks) {
    assert.ok(['ok', 'missing', 'disabled'].includes(check.state), JSON.stringify(check));
    assert.equal(check.fix === null, check.state === 'ok', JSON.stringify(check));
  }
  const learner = checks[0];
  assert.equal(learner.state === 'ok', oneDnnStatus().addon !== null, learner.detail);

  const text = spawnSync(process.execPath, [CLI, 'doctor'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(text.status, 0, text.stderr);
  for (const check of checks) assert.match(text.stdout, new RegExp(`^ {2}${check.name} +${check.state} `, 'm'));
});

test('train hints at doctor in one line only when the learner fell back to wasm for want of the addon', () => {
  const hint = learnerFallbackHint();
  if (oneDnnStatus().addon !== null || process.env.A3C_NATIVE === '0') {
    assert.equal(hint, null);
  } else {
    assert.match(hint!, /^a3c: learner on wasm only \(.*\); `npx a3c doctor` shows how to get the faster native one$/);
    assert.ok(!hint!.includes('\n'));
  }
});
