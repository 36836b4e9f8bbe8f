import { cvRound } from "./round.js";
import { SIN_TABLE } from "./sin-table.js";

/** Parameters of OpenCV's `ellipse2Poly`; all integers, angles in degrees. */
export interface EllipseSpec {
  readonly centerX: number;
  readonly centerY: number;
  readonly axisX: number;
  readonly axisY: number;
  readonly angle: number;
  readonly arcStart: number;
  readonly arcEnd: number;
  readonly delta: number;
}

function normalizeArc(start: number, end: number): [number, number] {
  if (start > end) [start, end] = [end, start];
  while (start < 0) {
    start += 360;
    end += 360;
  }
  while (end > 360) {
    end -= 360;
    start -= 360;
  }
  if (end - start > 360) return [0, 360];
  return [start, end];
}

/**
 * The integer polygon OpenCV's `ellipse2Poly` returns (flat `[x0, y0, ...]`):
 * points every `delta` degrees from its float32 sine table, rotated in double
 * precision, rounded half to even, consecutive duplicates dropped.
 */
export function ellipsePolygon(spec: EllipseSpec): number[] {
  let angle = spec.angle;
  while (angle < 0) angle += 360;
  while (angle > 360) angle -= 360;
  const [arcStart, arcEnd] = normalizeArc(spec.arcStart, spec.arcEnd);
  const cos = SIN_TABLE[450 - angle];
  const sin = SIN_TABLE[angle];
  const points: number[] = [];
  for (let i = arcStart; i < arcEnd + spec.delta; i += spec.delta) {
    let a = Math.min(i, arcEnd);
    if (a < 0) a += 360;
    const x = spec.axisX * SIN_TABLE[450 - a];
    const y = spec.axisY * SIN_TABLE[a];
    const px = cvRound(spec.centerX + x * cos - y * sin);
    const py = cvRound(spec.centerY + x * sin + y * cos);
    const n = points.length;
    if (n === 0 || points[n - 2] !== px || points[n - 1] !== py) points.push(px, py);
  }
  if (points.length === 2) return [spec.centerX, spec.centerY, spec.centerX, spec.centerY];
  return points;
}
