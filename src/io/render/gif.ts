import { GifRecorder } from './gif-recorder.js';

export interface RgbaFrame {
  /** `[height, width, 4]` row-major RGBA. */
  rgba: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Writes frames as a looping animated GIF at `fps` (GIF delays are whole hundredths of a second,
 * so 50 fps plays exactly, 30 fps as 3/100 s). Each frame gets its own palette; the encoding is
 * GifRecorder's, for frames that are all in memory already.
 */
export async function writeGif(path: string, frames: RgbaFrame[], fps: number): Promise<void> {
  if (frames.length === 0) throw new Error(`writeGif(${path}): no frames given`);
  if (!(fps > 0)) throw new RangeError(`writeGif(${path}): fps must be positive, got ${fps}`);
  const { width, height } = frames[0];
  const recorder = new GifRecorder(width, height, fps);
  frames.forEach((frame, i) => {
    if (frame.width !== width || frame.height !== height || frame.rgba.length !== width * height * 4) {
      throw new Error(`writeGif(${path}): frame ${i} is ${frame.width}x${frame.height} with ${frame.rgba.length} bytes, expected ${width}x${height}x4`);
    }
    recorder.addFrame(frame.rgba);
  });
  await recorder.save(path);
}
