import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import type { NetSpec } from '../nn/networks.js';
import { readCheckpointArchive } from './checkpoint-archive.js';
import { CheckpointError, type CheckpointFiles } from './checkpoint-files.js';

export { CheckpointError, type CheckpointFiles };

export const CHECKPOINT_FORMAT = 'a3c-ts-checkpoint';
/** 2: counters carry `episodes` and only the last rewards are kept; 1 (read too) kept every episode's. */
export const CHECKPOINT_FORMAT_VERSION = 2;
const READABLE_FORMAT_VERSIONS = [1, CHECKPOINT_FORMAT_VERSION];
/** Episode rewards a checkpoint keeps: what the mean-100 of a resumed run needs (the logs keep every one). */
export const SAVED_REWARDS = 100;
const MANIFEST = 'manifest.json';
/** In a checkpoint folder (see checkpoint-store.ts): the file naming its newest whole snapshot. */
export const LATEST = 'latest';
export const SNAPSHOT_NAME = /^step-\d+$/;
const MODEL = 'model.json';
const WEIGHTS = 'weights.bin';
const OPTIMIZER = 'optimizer.bin';
/** The files of one snapshot. */
export const CHECKPOINT_FILES: readonly string[] = [MANIFEST, MODEL, WEIGHTS, OPTIMIZER];

export interface WeightEntry {
  name: string;
  shape: number[];
}

export interface OptimizerState {
  name: string;
  step: number;
  /** Named flat buffers (Adam's m and v), each as long as the parameters. */
  buffers: Record<string, Float32Array>;
}

export interface Counters {
  envSteps: number;
  updates: number;
  trainedSamples: number;
  /** Whole episodes reported. */
  episodes: number;
  seconds: number;
}

/** Running moments as JSON numbers (float64, exact). */
export interface SavedMoments {
  count: number;
  mean: number[];
  var: number[];
}

/** Observation and discounted-return statistics of a run that normalises (SB3's VecNormalize obs_rms, ret_rms). */
export interface NormalizationState {
  /** `[obsSize]` moments of the observations. */
  obs: SavedMoments;
  /** `[1]` moments of the discounted returns. */
  ret: SavedMoments;
}

/** A run's resolved config as saved (JSON); what its keys mean is the trainer's concern. */
export type SavedConfig = Readonly<Record<string, unknown>>;

/** Everything a run needs to continue (docs/architecture.md, "Checkpoints"). */
export interface Checkpoint {
  config: SavedConfig;
  netSpec: NetSpec;
  weights: WeightEntry[];
  params: Float32Array;
  optimizer: OptimizerState;
  counters: Counters;
  /** Rewards of the last episodes, oldest first: at most SAVED_REWARDS are saved. */
  recentRewards: number[];
  /** The run's TensorBoard folder, continued on resume; null when it logs none. */
  runDir: string | null;
  /** Normalisation statistics of a run that normalises; absent or null otherwise (and in checkpoints older than them). */
  normalization?: NormalizationState | null;
  /** The best mean reward of the run's periodic greedy evaluations so far; absent or null before one. */
  bestEvalReward?: number | null;
}

interface Manifest {
  format: string;
  formatVersion: number;
  createdAt: string;
  config: SavedConfig;
  netSpec: NetSpec;
  counters: Counters;
  recentRewards: number[];
  runDir: string | null;
  normalization?: NormalizationState | null;
  bestEvalReward?: number | null;
  optimizer: { name: string; step: number; buffers: string[] };
  crc32c: { weights: number; optimizer: number };
}


function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}


/**
 * The files of `checkpoint`, without touching a disk (the browser page downloads them as one tar,
 * checkpoint-archive.ts): the network in tfjs's weights format (model.json with a `weightsManifest`
 * + weights.bin, loadable with `tf.io` in a browser), the optimiser state (optimizer.bin), and
 * manifest.json, which holds the rest and the files' CRC-32C checksums.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): CheckpointFiles {
  const weightsBytes = bytesOf(checkpoint.params);
  const bufferNames = Object.keys(checkpoint.optimizer.buffers);
  const optimizerBytes = concatBytes(bufferNames.map((n) => bytesOf(checkpoint.optimizer.buffers[n])));
  const model = {
    format: 'a3c-ts-actor-critic',
    netSpec: checkpoint.netSpec,
    weightsManifest: [{ paths: [WEIGHTS], weights: checkpoint.weights.map((w) => ({ ...w, dtype: 'float32' })) }],
  };
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    config: checkpoint.config,
    netSpec: checkpoint.netSpec,
    counters: checkpoint.counters,
    recentRewards: checkpoint.recentRewards.slice(-SAVED_REWARDS),
    runDir: checkpoint.runDir,
    normalization: checkpoint.normalization ?? null,
    bestEvalReward: checkpoint.bestEvalReward ?? null,
    optimizer: { name: checkpoint.optimizer.name, step: checkpoint.optimizer.step, buffers: bufferNames },
    crc32c: { weights: crc32c(weightsBytes), optimizer: crc32c(optimizerBytes) },
  };
  const text = new TextEncoder();
  return {
    [WEIGHTS]: weightsBytes,
    [OPTIMIZER]: optimizerBytes,
    [MODEL]: text.encode(JSON.stringify(model)),
    [MANIFEST]: text.encode(JSON.stringify(manifest)),
  };
}

/**
 * Writes `checkpoint` to the folder `path` atomically: everything goes to a temporary sibling that
 * is renamed into place, so an interrupted save leaves the previous checkpoint whole. The files
 * are encodeCheckpoint's.
 */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(path)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  // The manifest goes last (encodeCheckpoint's order): a folder without one was never completed.
  for (const [name, bytes] of Object.entries(encodeCheckpoint(checkpoint))) writeFileSync(join(tmp, name), bytes);
  const old = join(parent, `.${basename(path)}.old-${process.pid}`);
  if (existsSync(path)) renameSync(path, old);
  renameSync(tmp, path);
  rmSync(old, { recursive: true, force: true });
}

function fail(path: string, what: string): never {
  throw new CheckpointError(`checkpoint ${path}: ${what}`);
}

function readJson<T>(path: string, files: CheckpointFiles, file: string, missing: string): T {
  const bytes = files[file];
  if (bytes === undefined) fail(path, missing);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    fail(path, `${file} is not valid JSON (${(err as Error).message})`);
  }
}

function readFloats(path: string, files: CheckpointFiles, file: string, expectedLength: number, expectedCrc: number): Float32Array {
  const bytes = files[file];
  if (bytes === undefined) fail(path, `missing ${file}`);
  if (bytes.length !== expectedLength * 4) fail(path, `${file} has ${bytes.length} bytes, the manifest needs ${expectedLength * 4}`);
  if (crc32c(bytes) !== expectedCrc) fail(path, `${file} is corrupt (checksum mismatch)`);
  const out = new Float32Array(expectedLength);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * The checkpoint `path` stands for: itself when it holds a manifest or is a file (a tar archive,
 * checkpoint-archive.ts), the snapshot its `latest` names when it is a checkpoint folder.
 */
export function resolveCheckpointPath(path: string): string {
  if (!existsSync(path)) fail(path, 'no such file or folder');
  if (statSync(path).isFile() || existsSync(join(path, MANIFEST))) return path;
  const latest = join(path, LATEST);
  if (!existsSync(latest)) fail(path, `neither a checkpoint (no ${MANIFEST}) nor a checkpoint folder (no ${LATEST})`);
  const name = readFileSync(latest, 'utf8').trim();
  if (!SNAPSHOT_NAME.test(name)) fail(path, `${LATEST} names "${name}", not a step-<N> snapshot`);
  return join(path, name);
}

/** The checkpoint files in folder `path`, those of CHECKPOINT_FILES that exist. */
function readFolder(path: string): CheckpointFiles {
  const files: CheckpointFiles = {};
  for (const name of CHECKPOINT_FILES) {
    const full = join(path, name);
    if (existsSync(full)) files[name] = readFileSync(full);
  }
  return files;
}

/**
 * Loads a checkpoint: a checkpoint folder's newest snapshot, a snapshot folder, or a tar archive
 * of a snapshot's files (what the browser page downloads).
 * @throws CheckpointError for a missing, incomplete or corrupt checkpoint, naming the file.
 */
export function loadCheckpoint(pathOrFolder: string): Checkpoint {
  const path = resolveCheckpointPath(pathOrFolder);
  return decodeCheckpoint(path, statSync(path).isFile() ? readCheckpointArchive(path, readFileSync(path)) : readFolder(path));
}

/**
 * The checkpoint in `files` (encodeCheckpoint's), checked: format, version, sizes and checksums.
 * `path` names it in errors.
 * @throws CheckpointError for a missing, incomplete or corrupt checkpoint, naming the file.
 */
export function decodeCheckpoint(path: string, files: CheckpointFiles): Checkpoint {
  const manifest = readJson<Manifest>(path, files, MANIFEST, `missing ${MANIFEST} (not a checkpoint folder, or an interrupted save)`);
  if (manifest.format !== CHECKPOINT_FORMAT) fail(path, `format "${manifest.format}" is not "${CHECKPOINT_FORMAT}"`);
  if (!READABLE_FORMAT_VERSIONS.includes(manifest.formatVersion)) {
    fail(path, `format version ${manifest.formatVersion}, this a3c-ts reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')}`);
  }
  const model = readJson<{ weightsManifest: { weights: WeightEntry[] }[] }>(path, files, MODEL, `missing ${MODEL}`);
  const weights = model.weightsManifest?.[0]?.weights;
  if (!Array.isArray(weights)) fail(path, `${MODEL} has no weightsManifest`);
  const numParams = weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const params = readFloats(path, files, WEIGHTS, numParams, manifest.crc32c.weights);
  const names = manifest.optimizer.buffers;
  const optimizerFlat = readFloats(path, files, OPTIMIZER, numParams * names.length, manifest.crc32c.optimizer);
  const buffers = Object.fromEntries(names.map((n, i) => [n, optimizerFlat.slice(i * numParams, (i + 1) * numParams)]));
  return {
    config: manifest.config,
    netSpec: manifest.netSpec,
    weights: weights.map(({ name, shape }) => ({ name, shape })),
    params,
    optimizer: { name: manifest.optimizer.name, step: manifest.optimizer.step, buffers },
    ...historyOf(manifest),
    runDir: manifest.runDir ?? null,
    normalization: manifest.normalization ?? null,
    bestEvalReward: manifest.bestEvalReward ?? null,
  };
}

/** Format 1 kept every episode's reward and counted episodes by them. */
interface ManifestV1 {
  counters: Omit<Counters, 'episodes'>;
  episodeRewards: number[];
}

function historyOf(manifest: Manifest): Pick<Checkpoint, 'counters' | 'recentRewards'> {
  if (manifest.formatVersion !== 1) return { counters: manifest.counters, recentRewards: manifest.recentRewards };
  const old = manifest as unknown as ManifestV1;
  return { counters: { ...old.counters, episodes: old.episodeRewards.length }, recentRewards: old.episodeRewards.slice(-SAVED_REWARDS) };
}
