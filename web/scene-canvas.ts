import type { SKRSContext2D } from '@napi-rs/canvas';
import { css, usePygameCoordinates } from '../src/io/render/pygame-canvas.js';
import { WHITE, type ClassicControlScene } from '../src/io/render/scene.js';

/**
 * Draws `state` as src/io/render draws Gymnasium frames in Node, onto a browser canvas of any size.
 * The scenes only build paths, fill, stroke and set transforms: calls a browser 2D context has with
 * the same meaning. Their signatures name @napi-rs/canvas's context type, hence the one cast.
 */
export function drawScene(ctx: CanvasRenderingContext2D, scene: ClassicControlScene, state: ArrayLike<number>): void {
  const { width, height } = ctx.canvas;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = css(WHITE);
  ctx.fillRect(0, 0, width, height);
  const sceneCtx = ctx as unknown as SKRSContext2D;
  usePygameCoordinates(sceneCtx, scene.widthPx, scene.heightPx, width, height);
  scene.draw(sceneCtx, state);
}
