/**
 * Drawing in the coordinates Gymnasium's classic-control renderers use: they draw on a pygame
 * surface with integer coordinates naming pixels, then flip it vertically
 * (`pygame.transform.flip(surf, False, True)`), so y points up from the bottom row.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';

export type Rgb = readonly [number, number, number];
export type Point = readonly [number, number];

/** A pixel's centre is half a pixel from its corner. */
const PIXEL_CENTRE = 0.5;
/** pygame's 1-pixel lines (hline, vline, draw.line, aalines). */
const LINE_WIDTH_PX = 1;

/**
 * Maps pygame pixel (px, py) of a `nativeWidthPx` x `nativeHeightPx` surface, before its flip, to
 * the centre of the matching pixel of a `widthPx` x `heightPx` canvas (scaling when sizes differ).
 */
export function usePygameCoordinates(
  ctx: SKRSContext2D,
  nativeWidthPx: number,
  nativeHeightPx: number,
  widthPx: number,
  heightPx: number,
): void {
  const sx = widthPx / nativeWidthPx;
  const sy = heightPx / nativeHeightPx;
  ctx.setTransform(sx, 0, 0, -sy, PIXEL_CENTRE * sx, (nativeHeightPx - PIXEL_CENTRE) * sy);
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** `pygame.math.Vector2(p).rotate_rad(angle)`: counter-clockwise in pygame's coordinates. */
export function rotate([x, y]: Point, angleRad: number): Point {
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  return [x * cos - y * sin, x * sin + y * cos];
}

/** pygame's gfxdraw and solid-line functions take integer coordinates, truncating floats. */
function pixel([x, y]: Point): Point {
  return [Math.trunc(x), Math.trunc(y)];
}

function tracePath(ctx: SKRSContext2D, points: readonly Point[]): void {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
}

/** `gfxdraw.aapolygon` + `gfxdraw.filled_polygon`. */
export function fillPolygon(ctx: SKRSContext2D, points: readonly Point[], colour: Rgb): void {
  tracePath(ctx, points.map(pixel));
  ctx.closePath();
  ctx.fillStyle = css(colour);
  ctx.fill();
  // aapolygon's outline: a 1-pixel antialiased line along each edge, half a pixel outside the fill.
  ctx.lineWidth = LINE_WIDTH_PX;
  ctx.strokeStyle = css(colour);
  ctx.stroke();
}

/**
 * `gfxdraw.aacircle` + `gfxdraw.filled_circle` at integer centre and radius: pygame fills every
 * pixel within `radius` of the centre pixel, so the drawn disk reaches half a pixel further.
 */
export function fillCircle(ctx: SKRSContext2D, cx: number, cy: number, radius: number, colour: Rgb): void {
  ctx.beginPath();
  ctx.arc(cx, cy, radius + PIXEL_CENTRE, 0, 2 * Math.PI);
  ctx.fillStyle = css(colour);
  ctx.fill();
}

/** A solid 1-pixel line: `gfxdraw.hline`/`vline`, `pygame.draw.line`. */
export function strokeLine(ctx: SKRSContext2D, points: readonly Point[], colour: Rgb): void {
  strokeAntialiasedLine(ctx, points.map(pixel), colour);
}

/** `pygame.draw.aalines`: a 1-pixel antialiased polyline at float coordinates. */
export function strokeAntialiasedLine(ctx: SKRSContext2D, points: readonly Point[], colour: Rgb): void {
  tracePath(ctx, points);
  ctx.lineWidth = LINE_WIDTH_PX;
  ctx.strokeStyle = css(colour);
  ctx.stroke();
}
