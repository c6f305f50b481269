import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpointArchive, writeCheckpointArchive } from './checkpoint-archive.js';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';

const HAS_TAR = spawnSync('tar', ['--version']).status === 0;

function smallCheckpoint(): Checkpoint {
  return {
    config: { env: 'CartPole-v1', mode: 'data' },
    netSpec: { kind: 'mlp', obsSize: 4, numActions: 2, hidden: [3] },
    weights: [{ name: 'w', shape: [5, 3] }, { name: 'b', shape: [2] }],
    params: Float32Array.from({ length: 17 }, (_, i) => i / 7 - 1),
    optimizer: { name: 'adam', step: 4, buffers: { m: new Float32Array(17).fill(0.5), v: new Float32Array(17).fill(0.25) } },
    counters: { envSteps: 1234, updates: 5, trainedSamples: 600, episodes: 3, seconds: 2.5 },
    recentRewards: [10, 20, 30],
    runDir: null,
    normalization: null,
    bestEvalReward: null,
  };
}

test('a checkpoint archived and read back is the same checkpoint; loadCheckpoint reads the archive file as it is', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const checkpoint = smallCheckpoint();
  const archive = writeCheckpointArchive(encodeCheckpoint(checkpoint), 'CartPole-v1-step-000000001234');
  assert.equal(archive.length % 512, 0, 'whole tar blocks');
  assert.deepEqual(decodeCheckpoint('x.tar', readCheckpointArchive('x.tar', archive)), checkpoint);
  const file = join(dir, 'ckpt.tar');
  writeFileSync(file, archive);
  assert.deepEqual(loadCheckpoint(file), checkpoint);
});

test('tar reads what writeCheckpointArchive writes, and loadCheckpoint reads what tar makes of a snapshot folder', { skip: HAS_TAR ? false : 'no tar on PATH' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const checkpoint = smallCheckpoint();
  const file = join(dir, 'ours.tar');
  writeFileSync(file, writeCheckpointArchive(encodeCheckpoint(checkpoint), 'snap'));
  const listed = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual(listed.stdout.trim().split('\n').sort(), ['snap/manifest.json', 'snap/model.json', 'snap/optimizer.bin', 'snap/weights.bin']);
  assert.equal(spawnSync('tar', ['-xf', file, '-C', dir]).status, 0);
  assert.deepEqual(loadCheckpoint(join(dir, 'snap')), checkpoint);

  const folder = join(dir, 'saved');
  saveCheckpoint(folder, checkpoint);
  const theirs = join(dir, 'theirs.tar');
  // GNU tar's own format, with the folder's entry: what a user makes of a Node snapshot to upload it.
  assert.equal(spawnSync('tar', ['-cf', theirs, '-C', dir, 'saved']).status, 0);
  assert.deepEqual(loadCheckpoint(theirs), checkpoint);
});

test('a corrupt or truncated archive is refused, naming the archive and what is wrong', () => {
  const archive = writeCheckpointArchive(encodeCheckpoint(smallCheckpoint()), 'snap');
  const corrupt = archive.slice();
  corrupt[3] ^= 0xff;
  assert.throws(() => readCheckpointArchive('a.tar', corrupt), /^CheckpointError: checkpoint a\.tar: not a tar archive, or a corrupt one \(header checksum mismatch at byte 0\)$/);
  assert.throws(() => readCheckpointArchive('a.tar', archive.slice(0, 1024)), /^CheckpointError: checkpoint a\.tar: truncated archive/);
  const noWeights = readCheckpointArchive('a.tar', archive);
  delete noWeights['weights.bin'];
  assert.throws(() => decodeCheckpoint('a.tar', noWeights), /^CheckpointError: checkpoint a\.tar: missing weights\.bin$/);
  // The archive's own bytes are checked too: a flipped weight fails the manifest's checksum.
  const files = readCheckpointArchive('a.tar', archive);
  files['weights.bin'][0] ^= 1;
  assert.throws(() => decodeCheckpoint('a.tar', files), /weights\.bin is corrupt \(checksum mismatch\)$/);
});
