// Where the env server's venv lives: the user's cache folder, overridable, never the working directory.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultVenvDir, resolvePython, venvDirFor } from './python-env.js';

test('the default venv is $XDG_CACHE_HOME/a3c-ts/venv, else ~/.cache/a3c-ts/venv', () => {
  assert.equal(defaultVenvDir({ XDG_CACHE_HOME: '/data/cache' }, '/home/u'), '/data/cache/a3c-ts/venv');
  assert.equal(defaultVenvDir({}, '/home/u'), '/home/u/.cache/a3c-ts/venv');
  assert.equal(defaultVenvDir({ XDG_CACHE_HOME: '' }, '/home/u'), '/home/u/.cache/a3c-ts/venv');
  // The XDG Base Directory spec: a relative path is invalid and is ignored.
  assert.equal(defaultVenvDir({ XDG_CACHE_HOME: 'cache' }, '/home/u'), '/home/u/.cache/a3c-ts/venv');
});

test('venvDir overrides A3C_VENV, which overrides the default', () => {
  const saved = process.env.A3C_VENV;
  try {
    process.env.A3C_VENV = '/opt/a3c-venv';
    assert.equal(venvDirFor(), '/opt/a3c-venv');
    assert.equal(venvDirFor({ venvDir: '/srv/venv' }), '/srv/venv');
    delete process.env.A3C_VENV;
    assert.equal(venvDirFor(), defaultVenvDir());
  } finally {
    if (saved === undefined) delete process.env.A3C_VENV;
    else process.env.A3C_VENV = saved;
  }
});

test('setting up the venv writes into the cache folder, not the working directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'a3c-venv-place-'));
  const cwd = join(root, 'project');
  const cache = join(root, 'cache');
  const saved = { cwd: process.cwd(), PATH: process.env.PATH, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, A3C_VENV: process.env.A3C_VENV, A3C_PYTHON: process.env.A3C_PYTHON };
  try {
    mkdirSync(cwd);
    process.chdir(cwd);
    process.env.XDG_CACHE_HOME = cache;
    delete process.env.A3C_VENV;
    delete process.env.A3C_PYTHON;
    // Without python3 the set-up stops right after taking its lock, which shows where it works.
    process.env.PATH = '';
    assert.throws(() => resolvePython({ log: () => {} }), /python3 was not found on PATH/);
    assert.ok(existsSync(join(cache, 'a3c-ts')), 'the venv folder is prepared under $XDG_CACHE_HOME/a3c-ts');
    assert.deepEqual(readdirSync(cwd), []);
  } finally {
    process.chdir(saved.cwd);
    for (const key of ['PATH', 'XDG_CACHE_HOME', 'A3C_VENV', 'A3C_PYTHON'] as const) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    rmSync(root, { recursive: true, force: true });
  }
});
