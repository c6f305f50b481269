// Builds the optional oneDNN addon (native/) with node-gyp and prints one line
// saying which learner path is available and, without it, how to get it. It runs
// at install (package.json `install`), from the registry as from a clone, and never
// fails: without the addon, training runs on the tfjs wasm backend alone.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const NATIVE_DIR = fileURLToPath(new URL('../native/', import.meta.url));
const ADDON_PATH = join(NATIVE_DIR, 'build', 'Release', 'onednn.node');
const LOG_PATH = join(NATIVE_DIR, 'build', 'build-native.log');
const INCLUDE_DIRS = ['/usr/include', '/usr/local/include'];
/** The addon uses oneDNN 2.x's operation descriptors, which 3.0 removed. */
const SUPPORTED_ONEDNN_MAJOR = 2;
const NATIVE_ENV_VAR = 'A3C_NATIVE';
const RERUN = `node ${fileURLToPath(import.meta.url)}`;

/** The one line; `fix` is the command that gets the native path where it is missing. */
function report(available, detail, fix = null) {
  const state = available ? 'available' : 'unavailable, using the wasm backend';
  const then = fix === null ? '' : `; for the faster native path: ${fix}`;
  console.log(`a3c native oneDNN learner path: ${state} (${detail})${then}`);
}

/** oneDNN's major version from its installed headers, or null when they are missing. */
function installedOneDnnMajor() {
  for (const dir of INCLUDE_DIRS) {
    const header = join(dir, 'oneapi', 'dnnl', 'dnnl_version.h');
    if (existsSync(header)) {
      const match = /#define DNNL_VERSION_MAJOR (\d+)/.exec(readFileSync(header, 'utf8'));
      return match === null ? null : Number(match[1]);
    }
  }
  return null;
}

/** npm hands its bundled node-gyp to install scripts; outside npm, look next to this node, then in node_modules. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    resolveOrNull('node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((path) => path != null && existsSync(path)) ?? null;
}

function resolveOrNull(request) {
  try {
    return createRequire(import.meta.url).resolve(request);
  } catch {
    return null;
  }
}

/** Local Node headers, so that node-gyp need not download them; npm passes its own `nodedir` setting. */
function nodeGypHeaderArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function firstErrorLine(output) {
  const line = output.split('\n').find((l) => /error/i.test(l) && !/^gyp (info|ERR! (stack|System|command|cwd|node))/.test(l));
  return (line ?? output.trim().split('\n').at(-1) ?? 'no output').trim();
}

/** Loads the built addon in a fresh process, so a broken library link shows up now rather than in training. */
function smokeTest() {
  const script = `const a = require(${JSON.stringify(ADDON_PATH)}); process.stdout.write(a.version());`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return result.status === 0 ? { version: result.stdout } : { error: firstErrorLine(result.stderr) };
}

function build() {
  if (process.env[NATIVE_ENV_VAR] === '0') return report(false, `skipped: ${NATIVE_ENV_VAR}=0`, `unset ${NATIVE_ENV_VAR} && ${RERUN}`);
  const major = installedOneDnnMajor();
  if (major === null) return report(false, 'libdnnl-dev not installed', `apt-get install libdnnl-dev && ${RERUN}`);
  if (major !== SUPPORTED_ONEDNN_MAJOR) {
    return report(
      false,
      `oneDNN ${major}.x is installed; the addon needs ${SUPPORTED_ONEDNN_MAJOR}.x`,
      `apt-get install libdnnl-dev=${SUPPORTED_ONEDNN_MAJOR}.* (Debian 12's) && ${RERUN}`,
    );
  }
  if (resolveOrNull('node-addon-api') === null) return report(false, 'node-addon-api is not installed', `npm install && ${RERUN}`);
  const nodeGyp = findNodeGyp();
  if (nodeGyp === null) return report(false, 'node-gyp not found (it ships with npm)', `npm install --global node-gyp && ${RERUN}`);
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...nodeGypHeaderArgs()], {
    cwd: NATIVE_DIR,
    encoding: 'utf8',
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`;
  mkdirSync(dirname(LOG_PATH), { recursive: true });
  writeFileSync(LOG_PATH, output);
  if (result.status !== 0) {
    return report(false, `build failed: ${firstErrorLine(output)}; full log in ${LOG_PATH}`, `apt-get install g++ make python3 && ${RERUN}`);
  }
  const smoke = smokeTest();
  if ('error' in smoke) return report(false, `built but does not load: ${smoke.error}`);
  report(true, `oneDNN ${smoke.version}, ${ADDON_PATH}`);
}

try {
  build();
} catch (error) {
  report(false, `build script error: ${error.message}`);
}
process.exit(0);
