/**
 * Pendulum-v1 as gymnasium/envs/classic_control/pendulum.py draws it, except the torque arrow:
 * Gymnasium overlays an image scaled by the last action, which is not part of the state.
 */
import { BLACK, type ClassicControlScene } from './scene.js';
import { fillCircle, fillPolygon, rotate, type Point } from './pygame-canvas.js';

const SIZE_PX = 500;
/** The view spans this many metres either side of the pivot. */
const BOUND_M = 2.2;
const ROD_LENGTH_M = 1;
const ROD_WIDTH_M = 0.2;
const AXLE_RADIUS_M = 0.05;
const ROD_COLOUR = [204, 77, 77] as const;

export const pendulumScene: ClassicControlScene = {
  envId: 'Pendulum-v1',
  widthPx: SIZE_PX,
  heightPx: SIZE_PX,
  renderFps: 30,
  stateSize: 2,
  draw(ctx, state) {
    const pxPerM = SIZE_PX / (BOUND_M * 2);
    const offset = Math.floor(SIZE_PX / 2);
    const rodLengthPx = ROD_LENGTH_M * pxPerM;
    const halfRodWidthPx = (ROD_WIDTH_M * pxPerM) / 2;
    // theta = 0 is upright; pygame's angle 0 points right, hence the quarter turn.
    const angleRad = state[0] + Math.PI / 2;
    const place = (p: Point): Point => {
      const [x, y] = rotate(p, angleRad);
      return [x + offset, y + offset];
    };

    const rod: Point[] = [[0, -halfRodWidthPx], [0, halfRodWidthPx], [rodLengthPx, halfRodWidthPx], [rodLengthPx, -halfRodWidthPx]];
    fillPolygon(ctx, rod.map(place), ROD_COLOUR);
    fillCircle(ctx, offset, offset, Math.trunc(halfRodWidthPx), ROD_COLOUR);
    const [endX, endY] = place([rodLengthPx, 0]);
    fillCircle(ctx, Math.trunc(endX), Math.trunc(endY), Math.trunc(halfRodWidthPx), ROD_COLOUR);
    fillCircle(ctx, offset, offset, Math.trunc(AXLE_RADIUS_M * pxPerM), BLACK);
  },
};
