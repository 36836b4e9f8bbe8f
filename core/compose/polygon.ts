import type { Point } from "../face/types.js";
import type { RegionMask } from "../masks/face-mask.js";

/**
 * A polygon rasterised as a mask: 1 where the pixel's centre (x + 0.5, y + 0.5) lies inside by the
 * even-odd rule, 0 elsewhere. Scanline: per row, the crossings of the centre line with every edge.
 */
export function polygonMask(polygon: readonly Point[], width: number, height: number): RegionMask {
  const data = new Float32Array(width * height);
  const crossings: number[] = [];
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < polygon.length; i++) {
      const [x0, y0] = polygon[i];
      const [x1, y1] = polygon[(i + 1) % polygon.length];
      // Half-open in y so a vertex on the line is counted once.
      if ((y0 <= cy && cy < y1) || (y1 <= cy && cy < y0)) crossings.push(x0 + ((cy - y0) * (x1 - x0)) / (y1 - y0));
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Pixels with x + 0.5 in [left, right).
      const from = Math.max(0, Math.ceil(crossings[k] - 0.5));
      const to = Math.min(width, Math.ceil(crossings[k + 1] - 0.5));
      if (to > from) data.fill(1, y * width + from, y * width + to);
    }
  }
  return { width, height, data };
}
