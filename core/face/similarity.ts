import { ErrorCode, InstantIdError } from "../errors.js";
import type { Point } from "./types.js";

/** A 2x3 affine matrix [[a, b, c], [d, e, f]] mapping (x, y) to (a·x + b·y + c, d·x + e·y + f). */
export type AffineMatrix = readonly [readonly [number, number, number], readonly [number, number, number]];

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `src` onto `dst`:
 * Umeyama's method without reflection, as scikit-image's `SimilarityTransform.estimate`.
 * In 2D its optimum has a closed form: angle atan2(Σ(dy·sx − dx·sy), Σ(dx·sx + dy·sy)) over the centred points.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): AffineMatrix {
  const n = src.length;
  const mean = (points: readonly Point[], k: 0 | 1) => points.reduce((sum, p) => sum + p[k], 0) / n;
  const [sx, sy, dx, dy] = [mean(src, 0), mean(src, 1), mean(dst, 0), mean(dst, 1)];
  let cosine = 0;
  let sine = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const [ax, ay] = [src[i][0] - sx, src[i][1] - sy];
    const [bx, by] = [dst[i][0] - dx, dst[i][1] - dy];
    cosine += bx * ax + by * ay;
    sine += by * ax - bx * ay;
    variance += ax * ax + ay * ay;
  }
  if (!(variance > 0) || !Number.isFinite(variance)) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Cannot align a face whose keypoints all coincide or are not finite: ${JSON.stringify(src)}`,
    );
  }
  const scale = Math.hypot(cosine, sine) / variance;
  const angle = Math.atan2(sine, cosine);
  const a = scale * Math.cos(angle);
  const b = scale * Math.sin(angle);
  return [
    [a, -b, dx - (a * sx - b * sy)],
    [b, a, dy - (b * sx + a * sy)],
  ];
}
