import { writeCheckpointArchive } from '../../src/io/checkpoint-archive.js';
import { encodeCheckpoint, type Checkpoint } from '../../src/io/checkpoint.js';
import { snapshotName } from '../../src/io/checkpoint-store.js';

/**
 * Saves `checkpoint` as `<env>-step-<N>.tar` through the browser's download: the files Node writes
 * for a snapshot (encodeCheckpoint), in one tar that `a3c eval --checkpoint`, `a3c play` and
 * `a3c train --resume` read as it is, and that `tar -xf` unpacks into a snapshot folder.
 */
export function downloadCheckpoint(checkpoint: Checkpoint): void {
  const env = String(checkpoint.config.env).replace(/[^A-Za-z0-9_-]/g, '_');
  const folder = `${env}-${snapshotName(checkpoint.counters.envSteps)}`;
  const archive = writeCheckpointArchive(encodeCheckpoint(checkpoint), folder);
  const url = URL.createObjectURL(new Blob([archive], { type: 'application/x-tar' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${folder}.tar`;
  link.click();
  // The download has taken the blob once the click's task ran.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
