// The package as a user gets it: `npm pack`, then `npm install <tarball>` into a fresh project outside
// the repository; a TypeScript file importing the public API type-checks and trains CartPole-v1, and
// so does `npx a3c train`; where libdnnl-dev is installed the install builds the native learner and
// training names it. The install resolves versions online, as a user's does (a stale cache once hid
// ioredis 6.1's untyped imports). Needs the build (`npm test` makes it) and npm's registry.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Installing tfjs and building the addon take most of it: about 40 s with a warm npm cache on 2 cores. */
const TEST_TIMEOUT_MS = 6 * 60 * 1000;
const INSTALL_TIMEOUT_MS = 4 * 60 * 1000;
const RUN_TIMEOUT_MS = 2 * 60 * 1000;
const TRAIN_STEPS = '20000';
const ONEDNN_HEADER = '/usr/include/oneapi/dnnl/dnnl_version.h';
/** The addon's build needs oneDNN 2.x (native/README.md). */
const NATIVE_EXPECTED = process.env.A3C_NATIVE !== '0' && existsSync(ONEDNN_HEADER) && /#define DNNL_VERSION_MAJOR 2\b/.test(readFileSync(ONEDNN_HEADER, 'utf8'));
const NATIVE_BACKEND = /^native oneDNN kernels on wasm /;
/** npm's wording when it cannot reach the registry and the cache lacks a package. */
const NO_REGISTRY = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED/;
/** npm settings a user's environment may need to reach its registry; every other npm_* variable (set by `npm test`) points into the repository. */
const KEPT_NPM_VARIABLES = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|ca|strict_ssl|proxy|https_proxy|noproxy)$/i;

/** The user's file: the public API by name, a registered env of their own, then training. */
const USER_SOURCE = `import { A3C, Box, Discrete, make, RedisTransportError, registerEnv, type Env, type TrainResult } from 'a3c-ts';

registerEnv({ id: 'MyCartPole-v0', maxEpisodeSteps: 200, rewardThreshold: 195, entryPoint: (): Env => make('CartPole-v1').unwrapped });
const env = make('MyCartPole-v0');
const obsSpace = env.observationSpace;
const actionSpace = env.actionSpace;
if (!(obsSpace instanceof Box) || !(actionSpace instanceof Discrete)) throw new Error('MyCartPole-v0: expected Box observations and Discrete actions');
env.close();
if (!(new RedisTransportError('probe') instanceof Error)) throw new Error('RedisTransportError is not an Error');
const result: TrainResult = await new A3C({ env: 'CartPole-v1', maxSteps: ${TRAIN_STEPS}, seed: 1 }).learn();
console.log(JSON.stringify({ backend: result.backend, steps: result.steps, obsSize: obsSpace.size, actions: actionSpace.n }));
`;

/** A strict user's tsconfig; no skipLibCheck, so the package's declarations are checked too. */
const USER_TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], outDir: 'out' },
  files: ['train.ts'],
};
/** tfjs 4's own declarations fail a full lib check (they assume skipLibCheck); only errors elsewhere count. */
const TFJS_DECLARATIONS = /^node_modules\/@tensorflow\//;

/** The environment of a user's shell: no npm_* variables or PATH entries of the repository. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !KEPT_NPM_VARIABLES.test(key)) continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !resolve(dir).startsWith(REPO))
    .join(delimiter);
  return env;
}

function run(command: string, args: string[], cwd: string, timeout = RUN_TIMEOUT_MS): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: userEnv(), encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
}

function output(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${r.stdout}\n${r.stderr}`;
}

/** The devDependency range the repository uses, so that npm finds it in its cache. */
function devRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return `${name}@${pkg.devDependencies[name]}`;
}

test('the packed tarball installs into a fresh project, type-checks and trains', { timeout: TEST_TIMEOUT_MS }, (t) => {
  for (const built of ['dist/src/index.js', 'dist/src/cli/main.js', 'dist/web/index.html', 'dist/web-train/index.html']) {
    assert.ok(existsSync(join(REPO, built)), `${built} is missing: run \`npm run build\` first`);
  }
  const root = mkdtempSync(join(tmpdir(), 'a3c-package-'));
  try {
    // npm pack runs prepack (prune-dist) and prepare (the build) itself; the build is npm test's already.
    const prune = run(process.execPath, [join(REPO, 'scripts', 'prune-dist.mjs')], REPO);
    assert.equal(prune.status, 0, output(prune));
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], REPO);
    if (pack.error !== undefined) return t.skip(`npm cannot run: ${pack.error.message}`);
    assert.equal(pack.status, 0, output(pack));
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed.files.map((f) => f.path);

    // 1. What a user needs and nothing else.
    for (const needed of [
      'package.json',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/src/algo/agent/agent-thread.js',
      'dist/web/index.html',
      'dist/web-train/index.html',
      'native/binding.gyp',
      'native/src/addon.cc',
      'python/env_server.py',
      'scripts/build-native.mjs',
    ]) {
      assert.ok(files.includes(needed), `the tarball lacks ${needed}`);
    }
    const unwanted = files.filter((f) => /\.test\.|(^|\/)(testdata|test|bench|fixtures|support)\/|\.map$|^native\/build\/|^src\//.test(f));
    assert.deepEqual(unwanted, [], 'tests, fixtures, benchmarks, source maps, TypeScript sources or build output in the tarball');
    // 2. A fresh project outside the repository installs it; the install script builds the addon.
    const project = join(root, 'user-project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'a3c-ts-user', private: true, type: 'module' }, null, 2)}\n`);
    const install = run(
      'npm',
      ['install', join(root, packed.filename), devRange('typescript'), devRange('@types/node'), '--prefer-online', '--no-audit', '--no-fund', '--foreground-scripts'],
      project,
      INSTALL_TIMEOUT_MS,
    );
    if (install.error !== undefined && (install.error as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('npm is not on PATH');
    if (install.status !== 0 && NO_REGISTRY.test(`${install.stdout}${install.stderr}`)) {
      return t.skip(`npm install cannot reach the registry and its cache lacks a dependency: ${install.stderr.trim().split('\n').at(-1)}`);
    }
    assert.equal(install.status, 0, output(install));
    const installLine = `${install.stdout}\n${install.stderr}`.split('\n').find((l) => l.startsWith('a3c native oneDNN learner path: '));
    assert.ok(installLine !== undefined, `the install printed no learner-path line:\n${output(install)}`);
    assert.match(installLine, NATIVE_EXPECTED ? /: available \(oneDNN 2\./ : /: unavailable, using the wasm backend \(.*\); for the faster native path: /);
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'a3c-ts', 'package.json'), 'utf8')) as { exports: Record<string, unknown>; bin: Record<string, string> };
    assert.deepEqual(manifest.exports['.'], { types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    assert.equal(manifest.bin.a3c, 'dist/src/cli/main.js');

    // 3. The user's TypeScript file type-checks against the installed declarations, and trains.
    writeFileSync(join(project, 'train.ts'), USER_SOURCE);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG));
    const tsc = run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project);
    const tsErrors = tsc.stdout.split('\n').filter((l) => /error TS\d+/.test(l) && !TFJS_DECLARATIONS.test(l));
    assert.deepEqual(tsErrors, [], output(tsc));
    const library = run(process.execPath, [join('out', 'train.js')], project);
    assert.equal(library.status, 0, output(library));
    const trained = JSON.parse(library.stdout.trim().split('\n').at(-1)!) as { backend: string; steps: number; obsSize: number; actions: number };
    assert.ok(trained.steps >= Number(TRAIN_STEPS), library.stdout);
    assert.deepEqual([trained.obsSize, trained.actions], [4, 2]);
    assert.match(trained.backend, NATIVE_EXPECTED ? NATIVE_BACKEND : /^wasm /);

    // 4. The command, as the README runs it.
    const cli = run('npx', ['a3c', 'train', '--max-steps', TRAIN_STEPS, '--json'], project);
    assert.equal(cli.status, 0, output(cli));
    const summary = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as { env: string; steps: number; backend: string };
    assert.equal(summary.env, 'CartPole-v1');
    assert.ok(summary.steps >= Number(TRAIN_STEPS), cli.stdout);
    assert.match(summary.backend, NATIVE_EXPECTED ? NATIVE_BACKEND : /^wasm /);
    assert.match(cli.stderr, new RegExp(`backend ${NATIVE_EXPECTED ? 'native oneDNN' : 'wasm'}`));

    // 5. Without the addon, training says so in one line and points to doctor, which names the fix.
    rmSync(join(project, 'node_modules', 'a3c-ts', 'native', 'build'), { recursive: true, force: true });
    const fallback = run('npx', ['a3c', 'train', '--mode', 'a2c', '--max-steps', '2000', '--json'], project, RUN_TIMEOUT_MS);
    assert.equal(fallback.status, 0, output(fallback));
    const hints = fallback.stderr.split('\n').filter((l) => l.includes('a3c doctor'));
    assert.equal(hints.length, process.env.A3C_NATIVE === '0' ? 0 : 1, fallback.stderr);
    const doctor = run('npx', ['a3c', 'doctor', '--json'], project);
    assert.equal(doctor.status, 0, output(doctor));
    const learner = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; state: string; fix: string | null }> }).checks.find((c) => c.name === 'learner')!;
    assert.notEqual(learner.state, 'ok');
    if (process.env.A3C_NATIVE !== '0') {
      assert.ok(learner.fix?.includes(join(project, 'node_modules', 'a3c-ts', 'scripts', 'build-native.mjs')), learner.fix ?? 'no fix');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
