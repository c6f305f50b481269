/**
 * Pipes whose Node ends block in fs.readSync/fs.writeSync, so that a synchronous `step()` can wait
 * for another process. Node's child_process pipes are non-blocking streams served by the event
 * loop, which a synchronous caller never yields to; a named FIFO opened by Node is a plain blocking
 * file descriptor.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BlockingPipe {
  readFd: number;
  writeFd: number;
}

/**
 * A FIFO opened at both ends, then unlinked. Opening a FIFO blocks until the other end is open,
 * so the read end is first opened non-blocking (which needs no writer), then the blocking write
 * end (a reader exists), then the blocking read end (a writer exists); no open ever waits, and
 * none depends on another process having started.
 */
export function openBlockingPipe(): BlockingPipe {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-pipe-'));
  const path = join(dir, 'fifo');
  try {
    execFileSync('mkfifo', ['-m', '600', path]);
    const placeholder = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(path, constants.O_WRONLY);
    const readFd = openSync(path, constants.O_RDONLY);
    closeSync(placeholder);
    return { readFd, writeFd };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raised when the process at the other end has closed its end: it exited or crashed. */
export class PipeClosedError extends Error {}

/** Fills `target` from `fd`, blocking until every byte has come. */
export function readFully(fd: number, target: Uint8Array): void {
  let offset = 0;
  while (offset < target.length) {
    const n = readSync(fd, target, offset, target.length - offset, null);
    if (n === 0) throw new PipeClosedError(`pipe closed after ${offset} of ${target.length} bytes`);
    offset += n;
  }
}

export function writeFully(fd: number, source: Uint8Array): void {
  let offset = 0;
  try {
    while (offset < source.length) offset += writeSync(fd, source, offset, source.length - offset);
  } catch (error) {
    // Node ignores SIGPIPE, so a write with no reader left fails with EPIPE.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new PipeClosedError(`pipe closed after ${offset} of ${source.length} bytes`);
    throw error;
  }
}
