// Interim: replaced by core/kps renderKeypoints (pixel-exact draw_kps) when the kps branch lands.
import type { FiveKeypoints } from "../../../../core/face/types.js";
import type { RgbImage } from "../../../../core/image/rgb-image.js";

const COLORS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [255, 0, 255]] as const;
const LIMBS = [[0, 2], [1, 2], [3, 2], [4, 2]] as const;

/** InstantID's keypoint image, approximately: limbs (width 8) dimmed to 60%, then filled circles of radius 10. */
export function drawKeypoints(kps: FiveKeypoints, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const paint = (x: number, y: number, rgb: readonly number[], inside: (px: number, py: number) => boolean, reach: number) => {
    for (let py = Math.max(0, Math.floor(y - reach)); py <= Math.min(height - 1, Math.ceil(y + reach)); py++) {
      for (let px = Math.max(0, Math.floor(x - reach)); px <= Math.min(width - 1, Math.ceil(x + reach)); px++) {
        if (inside(px, py)) data.set(rgb, (py * width + px) * 3);
      }
    }
  };
  for (const [a, b] of LIMBS) {
    const [[x0, y0], [x1, y1]] = [kps[a], kps[b]];
    const length = Math.hypot(x1 - x0, y1 - y0) || 1;
    const onLimb = (px: number, py: number) => {
      const t = Math.min(1, Math.max(0, ((px - x0) * (x1 - x0) + (py - y0) * (y1 - y0)) / length ** 2));
      return Math.hypot(px - (x0 + t * (x1 - x0)), py - (y0 + t * (y1 - y0))) <= 4;
    };
    paint((x0 + x1) / 2, (y0 + y1) / 2, COLORS[a].map((c) => Math.floor(c * 0.6)), onLimb, length / 2 + 4);
  }
  kps.forEach(([x, y], i) => paint(x, y, COLORS[i], (px, py) => Math.hypot(px - x, py - y) <= 10, 10));
  return { width, height, data };
}
