import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import type { NetSpec } from '../nn/networks.js';

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

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

function bytesOf(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes `checkpoint` to the folder `path` atomically: everything goes to a temporary sibling that
 * is renamed into place, so an interrupted save leaves the previous checkpoint whole. The network
 * is in tfjs's weights format (model.json with a `weightsManifest` + weights.bin), loadable with
 * `tf.io` in a browser; manifest.json holds the rest.
 */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(path)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const weightsBytes = bytesOf(checkpoint.params);
  const bufferNames = Object.keys(checkpoint.optimizer.buffers);
  const optimizerBytes = Buffer.concat(bufferNames.map((n) => bytesOf(checkpoint.optimizer.buffers[n])));
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
  writeFileSync(join(tmp, WEIGHTS), weightsBytes);
  writeFileSync(join(tmp, OPTIMIZER), optimizerBytes);
  writeFileSync(join(tmp, MODEL), JSON.stringify(model));
  // The manifest goes last: a folder without one was never completed.
  writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest));
  const old = join(parent, `.${basename(path)}.old-${process.pid}`);
  if (existsSync(path)) renameSync(path, old);
  renameSync(tmp, path);
  rmSync(old, { recursive: true, force: true });
}

function fail(path: string, what: string): never {
  throw new CheckpointError(`checkpoint ${path}: ${what}`);
}

function readJson<T>(path: string, file: string): T {
  const full = join(path, file);
  if (!existsSync(full)) fail(path, `missing ${file} (not a checkpoint folder, or an interrupted save)`);
  try {
    return JSON.parse(readFileSync(full, 'utf8')) as T;
  } catch (err) {
    fail(path, `${file} is not valid JSON (${(err as Error).message})`);
  }
}

function readFloats(path: string, file: string, expectedLength: number, expectedCrc: number): Float32Array {
  const full = join(path, file);
  if (!existsSync(full)) fail(path, `missing ${file}`);
  const bytes = readFileSync(full);
  if (bytes.length !== expectedLength * 4) fail(path, `${file} has ${bytes.length} bytes, the manifest needs ${expectedLength * 4}`);
  if (crc32c(bytes) !== expectedCrc) fail(path, `${file} is corrupt (checksum mismatch)`);
  const out = new Float32Array(expectedLength);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * The checkpoint `path` stands for: itself when it holds a manifest, the snapshot its `latest`
 * names when it is a checkpoint folder.
 */
export function resolveCheckpointPath(path: string): string {
  if (!existsSync(path)) fail(path, 'no such folder');
  if (existsSync(join(path, MANIFEST))) return path;
  const latest = join(path, LATEST);
  if (!existsSync(latest)) fail(path, `neither a checkpoint (no ${MANIFEST}) nor a checkpoint folder (no ${LATEST})`);
  const name = readFileSync(latest, 'utf8').trim();
  if (!SNAPSHOT_NAME.test(name)) fail(path, `${LATEST} names "${name}", not a step-<N> snapshot`);
  return join(path, name);
}

/** Loads a checkpoint, or the newest snapshot of a checkpoint folder. */
export function loadCheckpoint(pathOrFolder: string): Checkpoint {
  const path = resolveCheckpointPath(pathOrFolder);
  const manifest = readJson<Manifest>(path, MANIFEST);
  if (manifest.format !== CHECKPOINT_FORMAT) fail(path, `format "${manifest.format}" is not "${CHECKPOINT_FORMAT}"`);
  if (!READABLE_FORMAT_VERSIONS.includes(manifest.formatVersion)) {
    fail(path, `format version ${manifest.formatVersion}, this a3c-ts reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')}`);
  }
  const model = readJson<{ weightsManifest: { weights: WeightEntry[] }[] }>(path, MODEL);
  const weights = model.weightsManifest?.[0]?.weights;
  if (!Array.isArray(weights)) fail(path, `${MODEL} has no weightsManifest`);
  const numParams = weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const params = readFloats(path, WEIGHTS, numParams, manifest.crc32c.weights);
  const names = manifest.optimizer.buffers;
  const optimizerFlat = readFloats(path, OPTIMIZER, numParams * names.length, manifest.crc32c.optimizer);
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
