/**
 * `a3c doctor`: what this machine can do. Each optional component (the native learner, the Python
 * env server and its packages, ALE ROMs, MuJoCo, Chromium, Redis) gets its state and, where it is
 * missing, the one command that adds it. Nothing here changes the machine; it always exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT, SERVER_MODULES, venvDirFor, venvPython } from '../envs/gym-bridge/python-env.js';
import { NATIVE_ENV_VAR, oneDnnStatus } from '../nn/kernels/onednn-kernels.js';
import { commandAction } from './command-action.js';

export type CheckState = 'ok' | 'missing' | 'disabled';

/** One line of the report. */
export interface Check {
  /** The component, e.g. "learner", "gymnasium". */
  name: string;
  state: CheckState;
  /** What was found, or why it is missing and what it is needed for. */
  detail: string;
  /** The one command that adds the component; null when nothing is to be done. */
  fix: string | null;
}

/** What the Python probe reports of one module: its version, or the import error. */
export type ModuleProbe = { version: string } | { error: string };

/** The interpreter the env server would use, and what it can import. */
export interface PythonFacts {
  /** The interpreter: A3C_PYTHON, else the venv's. */
  path: string;
  /** Where it came from: the A3C_PYTHON variable or the a3c-ts venv. */
  source: 'A3C_PYTHON' | 'venv';
  /** Its `sys.version`, or null when it does not run (for the venv: not created yet). */
  version: string | null;
  /** Keyed by pip name (SERVER_MODULES) plus "mujoco". */
  modules: Record<string, ModuleProbe>;
  /** ROMs that ale-py ships, or null when ale-py cannot list them. */
  romCount: number | null;
}

/** Everything the report is made of, gathered once (`gatherFacts`) so that `diagnose` is pure. */
export interface DoctorFacts {
  /** The native addon's oneDNN version, or why it is not loaded. */
  learner: { version: string } | { reason: string };
  nativeDisabled: boolean;
  /** DNNL_VERSION_MAJOR of the installed oneDNN headers, or null when libdnnl-dev is absent. */
  oneDnnHeaderMajor: number | null;
  python: PythonFacts;
  /** Whether python3 is on PATH (to create the venv). */
  basePython: boolean;
  /** A Chromium executable, or null. */
  chromium: string | null;
  /** redis-server's path and version, or null when it is not on PATH. */
  redis: string | null;
}

/** The addon's build needs oneDNN 2.x (native/README.md). */
const SUPPORTED_ONEDNN_MAJOR = 2;
const ONEDNN_HEADER_DIRS = ['/usr/include', '/usr/local/include'];
/** Where browser-export.test.ts looks (Debian's chromium package); then these names on PATH. */
const CHROMIUM_PATHS = ['/usr/bin/chromium'];
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** Importing gymnasium and cv2 takes about a second; a hung interpreter should not hang doctor. */
const PYTHON_PROBE_TIMEOUT_MS = 60_000;
const MUJOCO = 'mujoco';

const BUILD_NATIVE = `node ${join(PACKAGE_ROOT, 'scripts', 'build-native.mjs')}`;
const SETUP_PYTHON = `node ${join(PACKAGE_ROOT, 'dist', 'src', 'envs', 'gym-bridge', 'setup.js')}`;

/**
 * Prints to stdout a module's version or import error for each server module and mujoco as JSON,
 * plus the number of ROMs ale-py ships (ale-py 0.9+ bundles them).
 */
const PYTHON_PROBE = `
import importlib, json, sys
modules = json.loads(sys.argv[1])
out = {"version": sys.version.split()[0], "modules": {}, "roms": None}
for pip_name, module in modules.items():
    try:
        m = importlib.import_module(module)
        out["modules"][pip_name] = {"version": str(getattr(m, "__version__", "?"))}
    except Exception as e:
        out["modules"][pip_name] = {"error": f"{type(e).__name__}: {e}"}
try:
    from ale_py import roms
    out["roms"] = sum(1 for r in roms.get_all_rom_ids() if roms.get_rom_path(r) is not None)
except Exception:
    pass
print(json.dumps(out))
`;

/** Probes the machine: loads the addon, runs the env server's Python once, looks on PATH. */
export function gatherFacts(): DoctorFacts {
  const status = oneDnnStatus();
  return {
    learner: status.addon === null ? { reason: status.reason } : { version: status.addon.version() },
    nativeDisabled: process.env[NATIVE_ENV_VAR] === '0',
    oneDnnHeaderMajor: installedOneDnnMajor(),
    python: probePython(),
    basePython: onPath('python3') !== null,
    chromium: CHROMIUM_PATHS.find((p) => existsSync(p)) ?? firstOnPath(CHROMIUM_NAMES),
    redis: redisVersion(),
  };
}

function installedOneDnnMajor(): number | null {
  for (const dir of ONEDNN_HEADER_DIRS) {
    const header = join(dir, 'oneapi', 'dnnl', 'dnnl_version.h');
    if (existsSync(header)) {
      const match = /#define DNNL_VERSION_MAJOR (\d+)/.exec(readFileSync(header, 'utf8'));
      return match === null ? null : Number(match[1]);
    }
  }
  return null;
}

function probePython(): PythonFacts {
  const named = process.env.A3C_PYTHON;
  const path = named || venvPython(venvDirFor());
  const facts: PythonFacts = { path, source: named ? 'A3C_PYTHON' : 'venv', version: null, modules: {}, romCount: null };
  const modules = { ...SERVER_MODULES, [MUJOCO]: MUJOCO };
  const run = spawnSync(path, ['-c', PYTHON_PROBE, JSON.stringify(modules)], { encoding: 'utf8', timeout: PYTHON_PROBE_TIMEOUT_MS });
  // The report is the last line: a package may print on import.
  const report = run.status === 0 ? run.stdout.trim().split('\n').at(-1) : undefined;
  if (report === undefined) return facts;
  const out = JSON.parse(report) as { version: string; modules: Record<string, ModuleProbe>; roms: number | null };
  return { ...facts, version: out.version, modules: out.modules, romCount: out.roms };
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function firstOnPath(names: string[]): string | null {
  for (const name of names) {
    const found = onPath(name);
    if (found !== null) return found;
  }
  return null;
}

function redisVersion(): string | null {
  const binary = onPath('redis-server');
  if (binary === null) return null;
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const version = /v=(\S+)/.exec(run.stdout ?? '')?.[1];
  return version === undefined ? binary : `${binary} ${version}`;
}

/** Turns the gathered facts into the report: one check per component, each with its fix. */
export function diagnose(facts: DoctorFacts): Check[] {
  return [learnerCheck(facts), ...pythonChecks(facts), chromiumCheck(facts), redisCheck(facts)];
}

function learnerCheck(facts: DoctorFacts): Check {
  const name = 'learner';
  if ('version' in facts.learner) {
    return { name, state: 'ok', detail: `native: oneDNN ${facts.learner.version} kernels on the wasm backend`, fix: null };
  }
  const why = `wasm only, about 4.5x slower on the Atari net: ${facts.learner.reason}`;
  if (facts.nativeDisabled) return { name, state: 'disabled', detail: why, fix: `unset ${NATIVE_ENV_VAR}` };
  if (facts.oneDnnHeaderMajor === null) return { name, state: 'missing', detail: why, fix: `apt-get install libdnnl-dev && ${BUILD_NATIVE}` };
  if (facts.oneDnnHeaderMajor !== SUPPORTED_ONEDNN_MAJOR) {
    return {
      name,
      state: 'missing',
      detail: `${why}; oneDNN ${facts.oneDnnHeaderMajor}.x is installed, the addon needs ${SUPPORTED_ONEDNN_MAJOR}.x (Debian 12's libdnnl-dev)`,
      fix: `apt-get install libdnnl-dev=${SUPPORTED_ONEDNN_MAJOR}.* && ${BUILD_NATIVE}`,
    };
  }
  return { name, state: 'missing', detail: `${why} (build log: ${join(PACKAGE_ROOT, 'native', 'build', 'build-native.log')})`, fix: BUILD_NATIVE };
}

/** The interpreter, then each env server package, the ROMs and MuJoCo. */
function pythonChecks(facts: DoctorFacts): Check[] {
  const { python } = facts;
  const neededFor = 'needed for Atari and gym:<id> envs; not for classic control';
  if (python.version === null) {
    const interpreter: Check =
      python.source === 'A3C_PYTHON'
        ? { name: 'python', state: 'missing', detail: `A3C_PYTHON=${python.path} does not run; ${neededFor}`, fix: `unset A3C_PYTHON` }
        : facts.basePython
          ? { name: 'python', state: 'missing', detail: `no venv at ${python.path} yet (made on first use); ${neededFor}`, fix: SETUP_PYTHON }
          : { name: 'python', state: 'missing', detail: `python3 is not on PATH; ${neededFor}`, fix: `apt-get install python3 python3-venv && ${SETUP_PYTHON}` };
    const rest = [...Object.keys(SERVER_MODULES), 'ale-roms'].map(
      (name): Check => ({ name, state: 'missing', detail: 'no Python env (see python above)', fix: interpreter.fix }),
    );
    // The venv gets the server's packages only; MuJoCo is one more pip install into it.
    const mujocoFix = python.source === 'venv' ? `${interpreter.fix} && ${python.path} -m pip install ${MUJOCO}` : interpreter.fix;
    return [interpreter, ...rest, { name: MUJOCO, state: 'missing', detail: 'no Python env (see python above)', fix: mujocoFix }];
  }
  const pip = (pkg: string) => `${python.path} -m pip install ${pkg}`;
  const checks: Check[] = [{ name: 'python', state: 'ok', detail: `${python.path} (Python ${python.version}, from ${python.source})`, fix: null }];
  for (const pkg of Object.keys(SERVER_MODULES)) {
    const probe = python.modules[pkg] ?? { error: 'not probed' };
    checks.push(
      'version' in probe
        ? { name: pkg, state: 'ok', detail: probe.version, fix: null }
        : { name: pkg, state: 'missing', detail: `${probe.error}; the env server needs it`, fix: python.source === 'venv' ? SETUP_PYTHON : pip(pkg) },
    );
  }
  checks.push(
    python.romCount !== null && python.romCount > 0
      ? { name: 'ale-roms', state: 'ok', detail: `${python.romCount} ROMs shipped with ale-py`, fix: null }
      : { name: 'ale-roms', state: 'missing', detail: 'ale-py lists no ROMs (they ship with ale-py 0.9 and later); needed for Atari', fix: pip("'ale-py>=0.9'") },
  );
  const mujoco = python.modules[MUJOCO] ?? { error: 'not probed' };
  checks.push(
    'version' in mujoco
      ? { name: MUJOCO, state: 'ok', detail: mujoco.version, fix: null }
      : { name: MUJOCO, state: 'missing', detail: 'the mujoco package is not installed; needed for MuJoCo envs (gym:HalfCheetah-v5, ...)', fix: pip(MUJOCO) },
  );
  return checks;
}

function chromiumCheck(facts: DoctorFacts): Check {
  return facts.chromium === null
    ? { name: 'chromium', state: 'missing', detail: 'not found; needed only to test pages from `a3c export` headlessly', fix: 'apt-get install chromium' }
    : { name: 'chromium', state: 'ok', detail: facts.chromium, fix: null };
}

function redisCheck(facts: DoctorFacts): Check {
  return facts.redis === null
    ? { name: 'redis', state: 'missing', detail: 'redis-server is not on PATH; needed only for a Redis transport across hosts', fix: 'apt-get install redis-server' }
    : { name: 'redis', state: 'ok', detail: facts.redis, fix: null };
}

/** The report as aligned text lines, a "fix:" line under each component that is not ok. */
export function formatReport(checks: Check[]): string {
  const nameWidth = Math.max(...checks.map((c) => c.name.length));
  const stateWidth = Math.max(...checks.map((c) => c.state.length));
  const lines = ['a3c doctor: optional components (classic control needs none of them)'];
  for (const check of checks) {
    lines.push(`  ${check.name.padEnd(nameWidth)}  ${check.state.padEnd(stateWidth)}  ${check.detail}`);
    if (check.fix !== null) lines.push(`  ${''.padEnd(nameWidth)}  ${''.padEnd(stateWidth)}  fix: ${check.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One line for `a3c train` when the learner falls back to wasm for want of the addon, pointing to
 * `a3c doctor`; null on the native path or when the user turned it off (A3C_NATIVE=0).
 */
export function learnerFallbackHint(): string | null {
  const status = oneDnnStatus();
  if (status.addon !== null || process.env[NATIVE_ENV_VAR] === '0') return null;
  return `a3c: learner on wasm only (${status.reason}); \`npx a3c doctor\` shows how to get the faster native one`;
}

/** Registers `a3c doctor [--json]`. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('report what this machine can do (native learner, Python env server, ROMs, MuJoCo, Chromium, Redis) and how to add what is missing')
    .option('--json', 'print {"checks":[{"name","state","detail","fix"}]} on stdout')
    .option('--verbose', 'print stack traces of errors')
    .action(
      commandAction(async (opts: { json?: boolean }) => {
        const checks = diagnose(gatherFacts());
        process.stdout.write(opts.json ? `${JSON.stringify({ checks })}\n` : formatReport(checks));
      }),
    );
}
