/** Acrobot-v1 as gymnasium/envs/classic_control/acrobot.py draws it. */
import { BLACK, type ClassicControlScene } from './scene.js';
import { fillCircle, fillPolygon, rotate, strokeLine, type Point } from './pygame-canvas.js';

/** acrobot.py LINK_LENGTH_1, LINK_LENGTH_2. */
const LINK_LENGTHS_M = [1.0, 1.0] as const;
const SIZE_PX = 500;
/** The view spans both links plus this margin on each side of the pivot. */
const MARGIN_M = 0.2;
/** Links are 2 x 0.1 m thick; joints have a 0.1 m radius. */
const HALF_LINK_WIDTH_M = 0.1;
/** Height of the target line above the pivot (the tip must rise above it). */
const TARGET_HEIGHT_M = 1;
/** acrobot.py draws the target line 2.2 m either side of the pivot, whatever the link lengths. */
const TARGET_HALF_WIDTH_M = 2.2;
const LINK_COLOUR = [0, 204, 204] as const;
const JOINT_COLOUR = [204, 204, 0] as const;

export const acrobotScene: ClassicControlScene = {
  envId: 'Acrobot-v1',
  widthPx: SIZE_PX,
  heightPx: SIZE_PX,
  renderFps: 15,
  stateSize: 4,
  draw(ctx, state) {
    const [l1, l2] = LINK_LENGTHS_M;
    const bound = l1 + l2 + MARGIN_M;
    const pxPerM = SIZE_PX / (bound * 2);
    const offset = SIZE_PX / 2;
    const [theta1, theta2] = [state[0], state[1]];

    const targetY = TARGET_HEIGHT_M * pxPerM + offset;
    strokeLine(ctx, [[-TARGET_HALF_WIDTH_M * pxPerM + offset, targetY], [TARGET_HALF_WIDTH_M * pxPerM + offset, targetY]], BLACK);

    // Joint positions relative to the pivot; angles are measured from hanging straight down.
    const joints: Point[] = [[0, 0], [l1 * Math.sin(theta1) * pxPerM, -l1 * Math.cos(theta1) * pxPerM]];
    const angles = [theta1 - Math.PI / 2, theta1 + theta2 - Math.PI / 2];
    const lengthsPx = [l1 * pxPerM, l2 * pxPerM];
    const halfWidthPx = HALF_LINK_WIDTH_M * pxPerM;
    joints.forEach(([jx, jy], i) => {
      const x = jx + offset;
      const y = jy + offset;
      const link: Point[] = [[0, -halfWidthPx], [0, halfWidthPx], [lengthsPx[i], halfWidthPx], [lengthsPx[i], -halfWidthPx]];
      fillPolygon(ctx, link.map((p) => rotate(p, angles[i])).map(([px, py]) => [px + x, py + y]), LINK_COLOUR);
      fillCircle(ctx, Math.trunc(x), Math.trunc(y), Math.trunc(halfWidthPx), JOINT_COLOUR);
    });
  },
};
