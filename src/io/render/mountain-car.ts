/**
 * MountainCar-v0 and MountainCarContinuous-v0 as gymnasium/envs/classic_control/mountain_car.py
 * and continuous_mountain_car.py draw them; they differ only in the flag's position.
 */
import { BLACK, type ClassicControlScene } from './scene.js';
import { fillCircle, fillPolygon, rotate, strokeAntialiasedLine, strokeLine, type Point } from './pygame-canvas.js';

const MIN_POSITION_M = -1.2;
const MAX_POSITION_M = 0.6;
/** mountain_car.py goal_position; continuous_mountain_car.py uses 0.45. */
const GOAL_POSITION_M = 0.5;
const CONTINUOUS_GOAL_POSITION_M = 0.45;
const WIDTH_PX = 600;
const HEIGHT_PX = 400;
const CURVE_POINTS = 100;
const CAR_WIDTH_PX = 40;
const CAR_HEIGHT_PX = 20;
const CLEARANCE_PX = 10;
const WHEEL_RADIUS_PX = Math.trunc(CAR_HEIGHT_PX / 2.5);
const FLAG_POLE_HEIGHT_PX = 50;
const FLAG_HEIGHT_PX = 10;
const FLAG_LENGTH_PX = 25;
const WHEEL_COLOUR = [128, 128, 128] as const;
const FLAG_COLOUR = [204, 204, 0] as const;

/** The hill: y = sin(3x) * 0.45 + 0.55 (mountain_car.py `_height`). */
function hillHeight(position: number): number {
  return Math.sin(3 * position) * 0.45 + 0.55;
}

function makeMountainCarScene(envId: string, goalPositionM: number): ClassicControlScene {
  return {
    envId,
    widthPx: WIDTH_PX,
    heightPx: HEIGHT_PX,
    renderFps: 30,
    stateSize: 2,
    draw(ctx, state) {
      const pxPerM = WIDTH_PX / (MAX_POSITION_M - MIN_POSITION_M);
      const toPx = (position: number): Point => [(position - MIN_POSITION_M) * pxPerM, hillHeight(position) * pxPerM];
      const curve = Array.from({ length: CURVE_POINTS }, (_, i) =>
        toPx(MIN_POSITION_M + ((MAX_POSITION_M - MIN_POSITION_M) * i) / (CURVE_POINTS - 1)),
      );
      strokeAntialiasedLine(ctx, curve, BLACK);

      const position = state[0];
      // Gymnasium tilts the car by cos(3x) radians: proportional to the hill's slope, not its exact angle.
      const tiltRad = Math.cos(3 * position);
      const [carX, groundY] = toPx(position);
      const place = (p: Point): Point => {
        const [x, y] = rotate(p, tiltRad);
        return [x + carX, y + CLEARANCE_PX + groundY];
      };
      const halfW = CAR_WIDTH_PX / 2;
      const body: Point[] = [[-halfW, 0], [-halfW, CAR_HEIGHT_PX], [halfW, CAR_HEIGHT_PX], [halfW, 0]];
      fillPolygon(ctx, body.map(place), BLACK);
      for (const wheel of [[CAR_WIDTH_PX / 4, 0], [-CAR_WIDTH_PX / 4, 0]] as const) {
        const [x, y] = place(wheel);
        fillCircle(ctx, Math.trunc(x), Math.trunc(y), WHEEL_RADIUS_PX, WHEEL_COLOUR);
      }

      const flagX = Math.trunc((goalPositionM - MIN_POSITION_M) * pxPerM);
      const flagBottom = Math.trunc(hillHeight(goalPositionM) * pxPerM);
      const flagTop = flagBottom + FLAG_POLE_HEIGHT_PX;
      strokeLine(ctx, [[flagX, flagBottom], [flagX, flagTop]], BLACK);
      fillPolygon(ctx, [[flagX, flagTop], [flagX, flagTop - FLAG_HEIGHT_PX], [flagX + FLAG_LENGTH_PX, flagTop - FLAG_HEIGHT_PX / 2]], FLAG_COLOUR);
    },
  };
}

export const mountainCarScene = makeMountainCarScene('MountainCar-v0', GOAL_POSITION_M);
export const mountainCarContinuousScene = makeMountainCarScene('MountainCarContinuous-v0', CONTINUOUS_GOAL_POSITION_M);
