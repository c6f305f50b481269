import type { BufferedAppendFileArgs } from './buffered-append-file.js';
import { MetricsCsvWriter } from './metrics-csv.js';
import { TensorBoardWriter } from './tensorboard.js';

const MS_PER_S = 1000;

/** A run folder's scalar log: each scalar goes to the TensorBoard event file and to metrics.csv with one wall time. */
export class RunLog {
  readonly tensorBoard: TensorBoardWriter;
  readonly csv: MetricsCsvWriter;
  private readonly nowMs: () => number;

  constructor(runDir: string, args: BufferedAppendFileArgs = {}) {
    this.tensorBoard = new TensorBoardWriter(runDir, args);
    this.csv = new MetricsCsvWriter(runDir, args);
    this.nowMs = args.nowMs ?? Date.now;
  }

  scalar(tag: string, value: number, step: number): void {
    const wallTimeS = this.nowMs() / MS_PER_S;
    this.csv.scalar(tag, value, step, wallTimeS);
    this.tensorBoard.scalar(tag, value, step, wallTimeS);
  }

  flush(): void {
    this.tensorBoard.flush();
    this.csv.flush();
  }

  close(): void {
    this.tensorBoard.close();
    this.csv.close();
  }
}
