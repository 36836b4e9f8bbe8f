import { fillSpan, type Canvas, type Rgb } from "./canvas.js";
import { drawLine } from "./line.js";
import { truncDiv } from "./round.js";

/** OpenCV's fixed point for polygon edges: 16 fractional bits. */
const FRACTION_BITS = 16;
const ONE = 2 ** FRACTION_BITS;
const HALF = ONE / 2;

/** `value >> 16` on a signed 64-bit integer (floor division), safe beyond 32 bits. */
function fixedToInt(value: number): number {
  return Math.floor(value / ONE);
}

/** One of the two chains (left and right) walked from the topmost vertex. */
interface EdgeWalker {
  index: number;
  readonly step: number;
  x: number;
  dx: number;
  endY: number;
}

/**
 * Fills a convex polygon with integer vertices (flat `[x0, y0, x1, y1, ...]`)
 * the way OpenCV's `fillConvexPoly` does with `LINE_8` and no sub-pixel shift:
 * the outline is drawn with 8-connected lines, then rows are filled between two
 * edge walkers stepping in 16.16 fixed point, spans rounded to the nearest pixel.
 */
export function fillConvexPolygon(canvas: Canvas, points: readonly number[], color: Rgb): void {
  const count = points.length / 2;
  const bounds = drawOutline(canvas, points, color);
  const { width, height } = canvas;
  if (count < 3 || bounds.xMax < 0 || bounds.yMax < 0 || bounds.xMin >= width || bounds.yMin >= height) return;

  const yLast = Math.min(bounds.yMax, height - 1);
  const walkers: [EdgeWalker, EdgeWalker] = [
    { index: bounds.topIndex, step: 1, x: -ONE, dx: 0, endY: bounds.yMin },
    { index: bounds.topIndex, step: count - 1, x: -ONE, dx: 0, endY: bounds.yMin },
  ];
  const budget = { edges: count };
  for (let y = bounds.yMin; y <= yLast; y++) {
    for (const walker of walkers) {
      if (y >= walker.endY) advanceWalker(walker, points, count, y, budget);
    }
    if (budget.edges < 0) break;
    if (y >= 0) fillRow(canvas, y, walkers, color);
    walkers[0].x += walkers[0].dx;
    walkers[1].x += walkers[1].dx;
  }
}

interface OutlineBounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  topIndex: number;
}

function drawOutline(canvas: Canvas, points: readonly number[], color: Rgb): OutlineBounds {
  const count = points.length / 2;
  const bounds: OutlineBounds = { xMin: points[0], xMax: points[0], yMin: points[1], yMax: points[1], topIndex: 0 };
  let px = points[2 * count - 2];
  let py = points[2 * count - 1];
  for (let i = 0; i < count; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    if (y < bounds.yMin) {
      bounds.yMin = y;
      bounds.topIndex = i;
    }
    bounds.yMax = Math.max(bounds.yMax, y);
    bounds.xMax = Math.max(bounds.xMax, x);
    bounds.xMin = Math.min(bounds.xMin, x);
    drawLine(canvas, px, py, x, y, color);
    px = x;
    py = y;
  }
  return bounds;
}

/** Moves a walker to the next vertex below row y, consuming the shared edge budget as OpenCV does. */
function advanceWalker(walker: EdgeWalker, points: readonly number[], count: number, y: number, budget: { edges: number }): void {
  let from = walker.index;
  let to = (from + walker.step) % count;
  while (budget.edges-- > 0) {
    const toY = points[2 * to + 1];
    if (toY > y) {
      const xs = points[2 * from] * ONE;
      const xe = points[2 * to] * ONE;
      walker.endY = toY;
      walker.dx = truncDiv((xe - xs) * 2 + (toY - y), 2 * (toY - y));
      walker.x = xs;
      walker.index = to;
      return;
    }
    from = to;
    to = (to + walker.step) % count;
  }
}

function fillRow(canvas: Canvas, y: number, walkers: readonly [EdgeWalker, EdgeWalker], color: Rgb): void {
  const [left, right] = walkers[0].x > walkers[1].x ? [walkers[1], walkers[0]] : walkers;
  let x1 = fixedToInt(left.x + HALF);
  let x2 = fixedToInt(right.x + HALF);
  if (x2 < 0 || x1 >= canvas.width) return;
  x1 = Math.max(x1, 0);
  x2 = Math.min(x2, canvas.width - 1);
  fillSpan(canvas, y, x1, x2, color);
}
