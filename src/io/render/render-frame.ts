/** RGBA frames of the classic-control envs, drawn like Gymnasium's render_mode="rgb_array". */
import { createCanvas } from '@napi-rs/canvas';
import { acrobotScene } from './acrobot.js';
import { cartPoleScene } from './cart-pole.js';
import { mountainCarContinuousScene, mountainCarScene } from './mountain-car.js';
import { pendulumScene } from './pendulum.js';
import { usePygameCoordinates, css } from './pygame-canvas.js';
import { WHITE, type ClassicControlScene } from './scene.js';

const SCENES: readonly ClassicControlScene[] = [cartPoleScene, acrobotScene, mountainCarScene, mountainCarContinuousScene, pendulumScene];

/** The scene for `envId`; throws listing the renderable ids for any other. */
export function classicControlScene(envId: string): ClassicControlScene {
  const scene = SCENES.find((s) => s.envId === envId);
  if (!scene) throw new Error(`cannot render "${envId}": renderable envs are ${SCENES.map((s) => s.envId).join(', ')}`);
  return scene;
}

/**
 * Draws `state` (the env's `unwrapped.state`) as an RGBA image, `[height, width, 4]` row-major.
 * Width and height default to Gymnasium's (600x400 or 500x500); other sizes scale the drawing.
 */
export function renderFrame(envId: string, state: Float64Array | number[], width?: number, height?: number): Uint8ClampedArray {
  const scene = classicControlScene(envId);
  if (state.length < scene.stateSize) {
    throw new Error(`renderFrame(${envId}): state has ${state.length} values, expected ${scene.stateSize}`);
  }
  const widthPx = width ?? scene.widthPx;
  const heightPx = height ?? scene.heightPx;
  const canvas = createCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = css(WHITE);
  ctx.fillRect(0, 0, widthPx, heightPx);
  usePygameCoordinates(ctx, scene.widthPx, scene.heightPx, widthPx, heightPx);
  scene.draw(ctx, state);
  return ctx.getImageData(0, 0, widthPx, heightPx).data;
}
