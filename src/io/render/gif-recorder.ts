import { writeFile } from 'node:fs/promises';
import gifenc from 'gifenc';

/** GIF colour tables hold at most 256 entries. */
const GIF_MAX_COLOURS = 256;
const MS_PER_S = 1000;
/** gifenc's `repeat` value for an endless loop. */
const LOOP_FOREVER = 0;

/**
 * A looping animated GIF encoded frame by frame as frames come, so a recording of many episodes
 * holds only the compressed bytes, never all its RGBA frames (a 600x400 frame is 960 kB).
 * Each frame gets its own palette; delays are whole hundredths of a second (50 fps plays exactly).
 */
export class GifRecorder {
  private readonly encoder = gifenc.GIFEncoder();
  private frames = 0;
  private savedTo: string | null = null;

  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
    readonly fps: number,
  ) {
    if (!(fps > 0)) throw new RangeError(`GifRecorder: fps must be positive, got ${fps}`);
    if (!(Number.isInteger(widthPx) && Number.isInteger(heightPx) && widthPx > 0 && heightPx > 0)) {
      throw new RangeError(`GifRecorder: frame size must be positive integers, got ${widthPx}x${heightPx}`);
    }
  }

  get frameCount(): number {
    return this.frames;
  }

  /** Appends one `[height, width, 4]` row-major RGBA frame. */
  addFrame(rgba: Uint8Array | Uint8ClampedArray): void {
    this.checkNotSaved();
    const expected = this.widthPx * this.heightPx * 4;
    if (rgba.length !== expected) {
      throw new Error(`GifRecorder: frame ${this.frames} has ${rgba.length} bytes, expected ${this.widthPx}x${this.heightPx}x4 = ${expected}`);
    }
    const palette = gifenc.quantize(rgba, GIF_MAX_COLOURS);
    this.encoder.writeFrame(gifenc.applyPalette(rgba, palette), this.widthPx, this.heightPx, {
      palette,
      delay: MS_PER_S / this.fps,
      repeat: LOOP_FOREVER,
    });
    this.frames++;
  }

  /** Finishes the GIF and writes it to `path`; the recorder takes no frames afterwards. */
  async save(path: string): Promise<void> {
    this.checkNotSaved();
    if (this.frames === 0) throw new Error(`GifRecorder: no frames to write to ${path}`);
    this.encoder.finish();
    this.savedTo = path;
    await writeFile(path, this.encoder.bytes());
  }

  private checkNotSaved(): void {
    if (this.savedTo !== null) throw new Error(`GifRecorder: already saved to ${this.savedTo}; start a new recorder`);
  }
}
