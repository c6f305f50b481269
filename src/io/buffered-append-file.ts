import { closeSync, openSync, writeSync } from 'node:fs';

/** Flush once this much is buffered, so a write costs one syscall per many records. */
export const DEFAULT_FLUSH_BYTES = 64 * 1024;
/** ... or once the oldest buffered record is this old, so TensorBoard and `tail` see progress. */
export const DEFAULT_FLUSH_INTERVAL_MS = 2000;

export interface BufferedAppendFileArgs {
  flushBytes?: number;
  flushIntervalMs?: number;
  /** Clock for the flush interval; tests pass a fake one. */
  nowMs?: () => number;
}

/**
 * Appends chunks to a file through an in-memory buffer. Flushing is checked on each append
 * (no timer keeps the process alive), and always happens on `flush()` and `close()`.
 */
export class BufferedAppendFile {
  private fd: number | null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private oldestPendingMs = 0;
  private readonly flushBytes: number;
  private readonly flushIntervalMs: number;
  private readonly nowMs: () => number;

  constructor(readonly path: string, args: BufferedAppendFileArgs = {}) {
    this.flushBytes = args.flushBytes ?? DEFAULT_FLUSH_BYTES;
    this.flushIntervalMs = args.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.nowMs = args.nowMs ?? Date.now;
    this.fd = openSync(path, 'a');
  }

  append(chunk: Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path}: append after close`);
    const now = this.nowMs();
    if (this.pending.length === 0) this.oldestPendingMs = now;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.flushBytes || now - this.oldestPendingMs >= this.flushIntervalMs) this.flush();
  }

  flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Flushes and closes; later calls do nothing. */
  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }
}
