// Builds the optional oneDNN addon (native/) with node-gyp and prints one line
// saying whether the native learner path is available. It never fails: without
// the addon, training runs on the tfjs wasm backend alone.
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

function report(available, detail) {
  const state = available ? 'available' : 'unavailable, using the wasm backend';
  console.log(`a3c native oneDNN learner path: ${state} (${detail})`);
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

/** npm hands its bundled node-gyp to scripts; outside npm, look next to this node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((path) => path !== undefined && existsSync(path)) ?? null;
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
  if (process.env[NATIVE_ENV_VAR] === '0') return report(false, `skipped: ${NATIVE_ENV_VAR}=0`);
  const major = installedOneDnnMajor();
  if (major === null) return report(false, 'libdnnl-dev not installed: apt-get install libdnnl-dev');
  if (major !== SUPPORTED_ONEDNN_MAJOR) {
    return report(false, `oneDNN ${major}.x is installed; the addon needs ${SUPPORTED_ONEDNN_MAJOR}.x (Debian 12's libdnnl-dev)`);
  }
  try {
    createRequire(import.meta.url).resolve('node-addon-api');
  } catch {
    return report(false, 'node-addon-api is not installed: npm install');
  }
  const nodeGyp = findNodeGyp();
  if (nodeGyp === null) return report(false, 'node-gyp not found (it ships with npm)');
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...nodeGypHeaderArgs()], {
    cwd: NATIVE_DIR,
    encoding: 'utf8',
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`;
  mkdirSync(dirname(LOG_PATH), { recursive: true });
  writeFileSync(LOG_PATH, output);
  if (result.status !== 0) return report(false, `build failed: ${firstErrorLine(output)}; full log in ${LOG_PATH}`);
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
