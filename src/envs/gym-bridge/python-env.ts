/**
 * The Python interpreter that runs the Gymnasium env server: a per-user venv in the user's cache
 * folder, created and filled with gymnasium and ale-py on first use, or an interpreter the user names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the env server imports, pip name to module; opencv gives the reference's cv2 INTER_AREA resize. */
export const SERVER_MODULES: Readonly<Record<string, string>> = Object.freeze({
  gymnasium: 'gymnasium',
  'ale-py': 'ale_py',
  numpy: 'numpy',
  'opencv-python-headless': 'cv2',
});
export const SERVER_PACKAGES: readonly string[] = Object.keys(SERVER_MODULES);
/** Gymnasium's MuJoCo ids (gymnasium/envs/__init__.py), whose envs import the `mujoco` package. */
const MUJOCO_ID = /^(Ant|HalfCheetah|Hopper|Humanoid|HumanoidStandup|InvertedDoublePendulum|InvertedPendulum|Pusher|Reacher|Swimmer|Walker2d)-v\d+$/;
/** Gymnasium's `mujoco` extra (its pyproject.toml): the physics, and what its MuJoCo envs import besides. */
const MUJOCO_PACKAGES: readonly string[] = ['mujoco', 'imageio', 'packaging'];

/**
 * pip packages (each importable under its own name) that the Gymnasium id `envId` needs besides
 * the server's: Gymnasium's `mujoco` extra for the MuJoCo ids, nothing for the others.
 */
export function extraPackagesFor(envId: string): string[] {
  return MUJOCO_ID.test(envId) ? [...MUJOCO_PACKAGES] : [];
}
const SERVER_IMPORTS = `import ${Object.values(SERVER_MODULES).join(', ')}`;
/** pip flags for a machine whose only index is a local mirror: fail fast instead of retrying. */
const PIP_INSTALL_FLAGS = ['--retries', '0', '--timeout', '5'];
const BASE_PYTHON = 'python3';
/** How long another process's venv creation may hold the lock before we give up on it. */
const VENV_LOCK_WAIT_MS = 10 * 60 * 1000;
const VENV_LOCK_POLL_MS = 200;
/** The process's stderr, also from worker threads (whose process.stderr has no fd). */
const STDERR_FD = 2;

export interface PythonEnvOptions {
  /** An interpreter that already has the server packages; default: env var A3C_PYTHON. */
  python?: string;
  /** Where the venv lives; default: env var A3C_VENV, else `defaultVenvDir()` (the user's cache folder). */
  venvDir?: string;
  /** Progress lines (venv creation, pip); default: stderr. */
  log?: (line: string) => void;
}

/** The repo (or installed package) root: this file is dist/src/envs/gym-bridge/python-env.js. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * The per-user venv, shared by all of the user's projects and never in their working directory:
 * `$XDG_CACHE_HOME/a3c-ts/venv`, else `~/.cache/a3c-ts/venv` (the XDG Base Directory spec ignores
 * a relative XDG_CACHE_HOME).
 */
export function defaultVenvDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const cacheHome = env.XDG_CACHE_HOME;
  return join(cacheHome && isAbsolute(cacheHome) ? cacheHome : join(home, '.cache'), 'a3c-ts', 'venv');
}

/** The venv `resolvePython` uses when no interpreter is named: `venvDir`, else A3C_VENV, else `defaultVenvDir()`. */
export function venvDirFor(options: Pick<PythonEnvOptions, 'venvDir'> = {}): string {
  return resolve(options.venvDir ?? process.env.A3C_VENV ?? defaultVenvDir());
}

/** Interpreters already probed in this process: the probe imports gymnasium, ~0.2 s. */
const verified = new Set<string>();

/**
 * Returns an interpreter that can run the env server, creating the venv on first use, and that
 * can import `extras` (pip names that are also module names, see extraPackagesFor), which are
 * pip-installed into the venv on first use as the server packages are.
 * Throws when the named interpreter lacks the server packages or the extras, when python3 or its
 * venv module is missing, or when pip cannot install the packages; each error says what to install.
 */
export function resolvePython(options: PythonEnvOptions = {}, extras: readonly string[] = []): string {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const named = options.python ?? process.env.A3C_PYTHON;
  if (named) {
    if (!verified.has(named) && !canImportServerPackages(named)) {
      throw new Error(
        `python ${named} (A3C_PYTHON) cannot import ${SERVER_PACKAGES.join(', ')}; ` +
          `install them with \`${named} -m pip install ${SERVER_PACKAGES.join(' ')}\` or unset A3C_PYTHON to use the a3c-ts venv in ${venvDirFor()}`,
      );
    }
    verified.add(named);
    const missing = extras.filter((name) => !verified.has(`${named} ${name}`) && !canImport(named, [name]));
    if (missing.length > 0) {
      throw new Error(`python ${named} (A3C_PYTHON) cannot import ${missing.join(', ')}; install with \`${named} -m pip install ${missing.join(' ')}\``);
    }
    for (const name of extras) verified.add(`${named} ${name}`);
    return named;
  }
  const venvDir = venvDirFor(options);
  const python = venvPython(venvDir);
  if (!verified.has(python)) {
    const ready = () => existsSync(python) && canImportServerPackages(python);
    if (!ready()) {
      withVenvLock(venvDir, ready, () => {
        log(`a3c-ts: setting up the Python env for Gymnasium in ${venvDir}`);
        createVenv(venvDir, log);
      });
    }
    verified.add(python);
  }
  const missing = extras.filter((name) => !verified.has(`${python} ${name}`) && !canImport(python, [name]));
  if (missing.length > 0) withVenvLock(venvDir, () => canImport(python, missing), () => installExtras(python, venvDir, missing, log));
  for (const name of extras) verified.add(`${python} ${name}`);
  return python;
}

/** pip-installs `missing` into the venv. */
function installExtras(python: string, venvDir: string, missing: string[], log: (line: string) => void): void {
  const pipArgs = ['-m', 'pip', 'install', ...PIP_INSTALL_FLAGS, ...missing];
  log(`a3c-ts: ${python} ${pipArgs.join(' ')}`);
  const installed = spawnSync(python, pipArgs, { stdio: ['ignore', STDERR_FD, STDERR_FD] });
  if (installed.status !== 0 || !canImport(python, missing)) {
    throw new Error(`pip could not install ${missing.join(' ')} into ${venvDir} (exit ${installed.status}, see its output above); check the package index, or install it yourself with \`${python} -m pip install ${missing.join(' ')}\``);
  }
}

/** The interpreter inside `venvDir`. Throws on Windows, where the bridge cannot run. */
export function venvPython(venvDir: string): string {
  if (process.platform === 'win32') {
    throw new Error('the Gymnasium bridge needs named pipes (mkfifo): run it on Linux or macOS, or under WSL');
  }
  return join(venvDir, 'bin', 'python');
}

function canImportServerPackages(python: string): boolean {
  const probe = spawnSync(python, ['-c', SERVER_IMPORTS], { stdio: 'ignore' });
  return probe.status === 0;
}

function canImport(python: string, modules: readonly string[]): boolean {
  return spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Several workers may start at once: one sets the venv up (`setUp`), the others wait for it and
 * then find it `ready`.
 */
function withVenvLock(venvDir: string, ready: () => boolean, setUp: () => void): void {
  const lockDir = `${venvDir}.lock`;
  mkdirSync(dirname(venvDir), { recursive: true });
  const deadline = Date.now() + VENV_LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) {
        throw new Error(`venv ${venvDir} is locked by ${lockDir} for over ${VENV_LOCK_WAIT_MS / 60000} min; if no setup is running, remove that folder`);
      }
      sleepMs(VENV_LOCK_POLL_MS);
    }
  }
  try {
    if (!ready()) setUp();
  } finally {
    rmdirSync(lockDir);
  }
}

function createVenv(venvDir: string, log: (line: string) => void): void {
  const python = venvPython(venvDir);
  if (!existsSync(python)) {
    const version = spawnSync(BASE_PYTHON, ['--version'], { encoding: 'utf8' });
    if (version.error) {
      throw new Error(
        `${BASE_PYTHON} was not found on PATH; install Python 3.9+ with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv) or set A3C_PYTHON to an interpreter with ${SERVER_PACKAGES.join(', ')}`,
      );
    }
    log(`a3c-ts: ${BASE_PYTHON} -m venv ${venvDir}`);
    const made = spawnSync(BASE_PYTHON, ['-m', 'venv', venvDir], { encoding: 'utf8' });
    if (made.status !== 0) {
      const why = (made.stderr || made.stdout || '').trim().split('\n').pop();
      throw new Error(
        `${BASE_PYTHON} -m venv ${venvDir} failed (${why}); install the venv module (Debian/Ubuntu: apt-get install python3-venv) or set A3C_PYTHON to an interpreter with ${SERVER_PACKAGES.join(', ')}`,
      );
    }
  }
  const pipArgs = ['-m', 'pip', 'install', ...PIP_INSTALL_FLAGS, ...SERVER_PACKAGES];
  log(`a3c-ts: ${python} ${pipArgs.join(' ')}`);
  // pip's progress goes to our stderr: stdout may be a protocol channel or a JSON result.
  const installed = spawnSync(python, pipArgs, { stdio: ['ignore', STDERR_FD, STDERR_FD] });
  if (installed.status !== 0) {
    throw new Error(
      `pip could not install ${SERVER_PACKAGES.join(' ')} into ${venvDir} (exit ${installed.status}, see its output above); check the package index, or set A3C_PYTHON to an interpreter that has them`,
    );
  }
  if (!canImportServerPackages(python)) {
    throw new Error(`${python} still cannot run \`${SERVER_IMPORTS}\` after pip install; remove ${venvDir} and retry`);
  }
}

/** Blocks the calling thread, as the synchronous setup path must. */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
