import { writeFile } from 'node:fs/promises';
import gifenc from 'gifenc';

export interface RgbaFrame {
  /** `[height, width, 4]` row-major RGBA. */
  rgba: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** GIF colour tables hold at most 256 entries. */
const GIF_MAX_COLOURS = 256;
const MS_PER_S = 1000;
/** gifenc's `repeat` value for an endless loop. */
const LOOP_FOREVER = 0;

/**
 * Writes frames as a looping animated GIF at `fps` (GIF delays are whole hundredths of a second,
 * so 50 fps plays exactly, 30 fps as 3/100 s). Each frame gets its own palette.
 */
export async function writeGif(path: string, frames: RgbaFrame[], fps: number): Promise<void> {
  if (frames.length === 0) throw new Error(`writeGif(${path}): no frames given`);
  if (!(fps > 0)) throw new RangeError(`writeGif(${path}): fps must be positive, got ${fps}`);
  const { width, height } = frames[0];
  const encoder = gifenc.GIFEncoder();
  frames.forEach((frame, i) => {
    if (frame.width !== width || frame.height !== height || frame.rgba.length !== width * height * 4) {
      throw new Error(`writeGif(${path}): frame ${i} is ${frame.width}x${frame.height} with ${frame.rgba.length} bytes, expected ${width}x${height}x4`);
    }
    const palette = gifenc.quantize(frame.rgba, GIF_MAX_COLOURS);
    encoder.writeFrame(gifenc.applyPalette(frame.rgba, palette), width, height, { palette, delay: MS_PER_S / fps, repeat: LOOP_FOREVER });
  });
  encoder.finish();
  await writeFile(path, encoder.bytes());
}
