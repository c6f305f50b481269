import type { SKRSContext2D } from '@napi-rs/canvas';

/** How Gymnasium renders one classic-control env with render_mode="rgb_array". */
export interface ClassicControlScene {
  readonly envId: string;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Gymnasium's `metadata["render_fps"]`: the speed a recorded video plays at. */
  readonly renderFps: number;
  /** Length of the physical state (`env.unwrapped.state`) the scene draws. */
  readonly stateSize: number;
  /** Draws `state` in pygame coordinates (see pygame-canvas.ts) on a white background. */
  draw(ctx: SKRSContext2D, state: ArrayLike<number>): void;
}

export const WHITE = [255, 255, 255] as const;
export const BLACK = [0, 0, 0] as const;
