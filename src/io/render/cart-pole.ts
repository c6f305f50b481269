/** CartPole-v1 as gymnasium/envs/classic_control/cartpole.py draws it. */
import { BLACK, type ClassicControlScene } from './scene.js';
import { fillCircle, fillPolygon, rotate, strokeLine, type Point } from './pygame-canvas.js';

/** Physics constants the drawing scales by (cartpole.py: x_threshold, length = half the pole). */
const X_THRESHOLD_M = 2.4;
const HALF_POLE_LENGTH_M = 0.5;
const WIDTH_PX = 600;
const HEIGHT_PX = 400;
const POLE_WIDTH_PX = 10;
const CART_WIDTH_PX = 50;
const CART_HEIGHT_PX = 30;
/** Height of the track line and the cart's centre line. */
const CART_Y_PX = 100;
const AXLE_OFFSET_PX = CART_HEIGHT_PX / 4;
const POLE_COLOUR = [202, 152, 101] as const;
const AXLE_COLOUR = [129, 132, 203] as const;

export const cartPoleScene: ClassicControlScene = {
  envId: 'CartPole-v1',
  widthPx: WIDTH_PX,
  heightPx: HEIGHT_PX,
  renderFps: 50,
  stateSize: 4,
  draw(ctx, state) {
    const pxPerM = WIDTH_PX / (2 * X_THRESHOLD_M);
    const poleLengthPx = pxPerM * 2 * HALF_POLE_LENGTH_M;
    const cartX = state[0] * pxPerM + WIDTH_PX / 2;
    const theta = state[2];

    const halfCartW = CART_WIDTH_PX / 2;
    const halfCartH = CART_HEIGHT_PX / 2;
    const cart: Point[] = [[-halfCartW, -halfCartH], [-halfCartW, halfCartH], [halfCartW, halfCartH], [halfCartW, -halfCartH]];
    fillPolygon(ctx, cart.map(([x, y]) => [x + cartX, y + CART_Y_PX]), BLACK);

    const halfPoleW = POLE_WIDTH_PX / 2;
    const top = poleLengthPx - halfPoleW;
    const pole: Point[] = [[-halfPoleW, -halfPoleW], [-halfPoleW, top], [halfPoleW, top], [halfPoleW, -halfPoleW]];
    fillPolygon(
      ctx,
      pole.map((p) => rotate(p, -theta)).map(([x, y]) => [x + cartX, y + CART_Y_PX + AXLE_OFFSET_PX]),
      POLE_COLOUR,
    );
    fillCircle(ctx, Math.trunc(cartX), Math.trunc(CART_Y_PX + AXLE_OFFSET_PX), Math.trunc(halfPoleW), AXLE_COLOUR);
    strokeLine(ctx, [[0, CART_Y_PX], [WIDTH_PX, CART_Y_PX]], BLACK);
  },
};
