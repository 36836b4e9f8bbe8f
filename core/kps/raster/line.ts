import { putPixel, type Canvas, type Rgb } from "./canvas.js";
import { truncDiv } from "./round.js";

/** A segment with integer ends; mutable so clipping can move them. */
interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function outcode(x: number, y: number, right: number, bottom: number): number {
  return (x < 0 ? 1 : 0) + (x > right ? 2 : 0) + (y < 0 ? 4 : 0) + (y > bottom ? 8 : 0);
}

/**
 * Cohen-Sutherland clipping with OpenCV's integer arithmetic (truncating
 * division, first the rows then the columns, each end in turn), so clipped
 * lines land on the very pixels OpenCV picks. Returns false when nothing is visible.
 */
export function clipSegment(width: number, height: number, s: Segment): boolean {
  const right = width - 1;
  const bottom = height - 1;
  let c1 = outcode(s.x1, s.y1, right, bottom);
  let c2 = outcode(s.x2, s.y2, right, bottom);
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    if (c1 & 12) {
      const edge = c1 < 8 ? 0 : bottom;
      s.x1 += truncDiv((edge - s.y1) * (s.x2 - s.x1), s.y2 - s.y1);
      s.y1 = edge;
      c1 = outcode(s.x1, 0, right, bottom);
    }
    if (c2 & 12) {
      const edge = c2 < 8 ? 0 : bottom;
      s.x2 += truncDiv((edge - s.y2) * (s.x2 - s.x1), s.y2 - s.y1);
      s.y2 = edge;
      c2 = outcode(s.x2, 0, right, bottom);
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        const edge = c1 === 1 ? 0 : right;
        s.y1 += truncDiv((edge - s.x1) * (s.y2 - s.y1), s.x2 - s.x1);
        s.x1 = edge;
        c1 = 0;
      }
      if (c2) {
        const edge = c2 === 1 ? 0 : right;
        s.y2 += truncDiv((edge - s.x2) * (s.y2 - s.y1), s.x2 - s.x1);
        s.x2 = edge;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) === 0;
}

function isInside(canvas: Canvas, x: number, y: number): boolean {
  return x >= 0 && x < canvas.width && y >= 0 && y < canvas.height;
}

/** An 8-connected, non-antialiased line (Bresenham, drawn left to right), clipped like OpenCV's `LINE_8`. */
export function drawLine(canvas: Canvas, x1: number, y1: number, x2: number, y2: number, color: Rgb): void {
  const s: Segment = { x1, y1, x2, y2 };
  if (!isInside(canvas, x1, y1) || !isInside(canvas, x2, y2)) {
    if (!clipSegment(canvas.width, canvas.height, s)) return;
  }
  if (s.x2 < s.x1) [s.x1, s.y1, s.x2, s.y2] = [s.x2, s.y2, s.x1, s.y1];
  let major = s.x2 - s.x1;
  let minor = s.y2 - s.y1;
  const stepY = minor < 0 ? -1 : 1;
  minor = Math.abs(minor);
  const steep = minor > major;
  if (steep) [major, minor] = [minor, major];
  let err = major - 2 * minor;
  let x = s.x1;
  let y = s.y1;
  for (let i = 0; i <= major; i++) {
    putPixel(canvas, x, y, color);
    const diagonal = err < 0;
    err += -2 * minor + (diagonal ? 2 * major : 0);
    if (steep) {
      y += stepY;
      if (diagonal) x += 1;
    } else {
      x += 1;
      if (diagonal) y += stepY;
    }
  }
}
