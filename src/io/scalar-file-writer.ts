import { BufferedAppendFile, type BufferedAppendFileArgs } from './buffered-append-file.js';

const MS_PER_S = 1000;

/**
 * A run folder's file of scalars, appended through a BufferedAppendFile: what TensorBoardWriter and
 * MetricsCsvWriter share. A subclass picks the file and readies an existing one for appending
 * before calling this constructor, and encodes each scalar as one record.
 */
export abstract class ScalarFileWriter {
  private readonly file: BufferedAppendFile;
  private readonly nowMs: () => number;

  /** Opens `path` for appending; `header`, unless null (the file has one already), is written and flushed at once. */
  protected constructor(
    readonly path: string,
    header: Uint8Array | null,
    args: BufferedAppendFileArgs,
  ) {
    this.nowMs = args.nowMs ?? Date.now;
    this.file = new BufferedAppendFile(path, args);
    if (header !== null) {
      this.file.append(header);
      this.file.flush();
    }
  }

  /** Logs one scalar; `step` must be a non-negative integer. */
  scalar(tag: string, value: number, step: number, wallTimeS = this.nowMs() / MS_PER_S): void {
    this.file.append(this.encode(tag, value, step, wallTimeS));
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    this.file.close();
  }

  /** One scalar as the bytes of one record; throws on a scalar the format cannot hold. */
  protected abstract encode(tag: string, value: number, step: number, wallTimeS: number): Uint8Array;
}
