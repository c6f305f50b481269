/**
 * Stands in for @napi-rs/canvas, which src/io/render/render-frame.ts imports to draw frames in
 * Node. The page draws the same scenes on its own <canvas> (scene-canvas.ts) and never calls this.
 */
export function createCanvas(): never {
  throw new Error('@napi-rs/canvas is Node-only; in the browser, draw scenes with drawScene from web/scene-canvas.ts');
}
