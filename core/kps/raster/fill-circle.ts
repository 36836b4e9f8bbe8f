import { fillSpan, type Canvas, type Rgb } from "./canvas.js";

/**
 * A filled circle as OpenCV's `circle(..., thickness=-1, LINE_8)` draws it:
 * the integer midpoint algorithm walking one octant and filling the four
 * mirrored spans per step, each span clipped to the canvas.
 */
export function fillCircle(canvas: Canvas, cx: number, cy: number, radius: number, color: Rgb): void {
  let err = 0;
  let dx = radius;
  let dy = 0;
  let plus = 1;
  let minus = 2 * radius - 1;
  while (dx >= dy) {
    spanPair(canvas, cy - dy, cy + dy, cx - dx, cx + dx, color);
    spanPair(canvas, cy - dx, cy + dx, cx - dy, cx + dy, color);
    dy++;
    err += plus;
    plus += 2;
    if (err > 0) {
      err -= minus;
      dx--;
      minus -= 2;
    }
  }
}

function spanPair(canvas: Canvas, yTop: number, yBottom: number, x1: number, x2: number, color: Rgb): void {
  const { width, height } = canvas;
  if (x1 >= width || x2 < 0) return;
  const left = Math.max(x1, 0);
  const right = Math.min(x2, width - 1);
  if (yTop >= 0 && yTop < height) fillSpan(canvas, yTop, left, right, color);
  if (yBottom >= 0 && yBottom < height) fillSpan(canvas, yBottom, left, right, color);
}
