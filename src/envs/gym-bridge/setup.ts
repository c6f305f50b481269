/**
 * Creates (or checks) the Python env of the Gymnasium bridge ahead of time, e.g. in CI:
 *   node dist/src/envs/gym-bridge/setup.js
 * Honours A3C_PYTHON and A3C_VENV as the bridge does (default: the per-user venv, see
 * `defaultVenvDir`); prints the interpreter as JSON on stdout.
 */
import { performance } from 'node:perf_hooks';
import { resolvePython } from './python-env.js';

const startMs = performance.now();
const python = resolvePython();
const seconds = (performance.now() - startMs) / 1000;
process.stdout.write(`${JSON.stringify({ python, seconds: Number(seconds.toFixed(2)) })}\n`);
