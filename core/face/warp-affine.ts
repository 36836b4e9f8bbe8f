import type { RgbImage } from "../image/rgb-image.js";
import type { AffineMatrix } from "./similarity.js";

// OpenCV's warpAffine (INTER_LINEAR, BORDER_CONSTANT 0) for 8-bit images: the inverse map is evaluated in
// 10-bit fixed point, each source position rounded to 1/32 pixel, and the 2x2 taps weighted by 15-bit
// integer weights. Reproducing that keeps aligned crops equal to insightface's `norm_crop`.
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const INTER_BITS = 5;
const INTER_TAB = 1 << INTER_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB / 2;

/** OpenCV's saturate_cast<int>(double): round half to even. */
function roundEven(value: number): number {
  const r = Math.round(value);
  return r - value === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The inverse of a 2x3 affine matrix, computed as OpenCV's invertAffineTransform. */
export function invertAffine(m: AffineMatrix): AffineMatrix {
  const [[a, b, c], [d, e, f]] = m;
  const det = a * e - b * d;
  const inv = det !== 0 ? 1 / det : 0;
  const [ia, ib, id, ie] = [e * inv, -b * inv, -d * inv, a * inv];
  return [
    [ia, ib, -ia * c - ib * f],
    [id, ie, -id * c - ie * f],
  ];
}

/**
 * OpenCV's fixed-point form of the inverse map for a `width` × `height` output: per column the steps of X and
 * Y, per row their starts (rounding delta included). Pixel (x, y) samples at ((rowX[y] + columnX[x]) >> 5,
 * (rowY[y] + columnY[x]) >> 5) in 1/32 pixels.
 */
export interface WarpPlan {
  readonly columnX: Int32Array;
  readonly columnY: Int32Array;
  readonly rowX: Int32Array;
  readonly rowY: Int32Array;
}

/** The fixed-point inverse map of `forward` (source → output), as OpenCV's warpAffine computes it. */
export function warpPlan(forward: AffineMatrix, width: number, height: number): WarpPlan {
  const [[m0, m1, m2], [m3, m4, m5]] = invertAffine(forward);
  const columnX = new Int32Array(width);
  const columnY = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    columnX[x] = roundEven(m0 * x * AB_SCALE);
    columnY[x] = roundEven(m3 * x * AB_SCALE);
  }
  const rowX = new Int32Array(height);
  const rowY = new Int32Array(height);
  for (let y = 0; y < height; y++) {
    rowX[y] = roundEven((m1 * y + m2) * AB_SCALE) + ROUND_DELTA;
    rowY[y] = roundEven((m4 * y + m5) * AB_SCALE) + ROUND_DELTA;
  }
  return { columnX, columnY, rowX, rowY };
}

/**
 * Warps an RGB image by a forward affine matrix (source → output) into a `width` × `height` image,
 * bilinear with a black border, bit-exact with OpenCV's `cv2.warpAffine(src, M, (w, h), borderValue=0)`.
 */
export function warpAffine(image: RgbImage, forward: AffineMatrix, width: number, height: number): RgbImage {
  const { columnX, columnY, rowX, rowY } = warpPlan(forward, width, height);
  const out = new Uint8Array(width * height * 3);
  const { data, width: sourceWidth, height: sourceHeight } = image;
  const stride = sourceWidth * 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3) {
      const X = (rowX[y] + columnX[x]) >> (AB_BITS - INTER_BITS);
      const Y = (rowY[y] + columnY[x]) >> (AB_BITS - INTER_BITS);
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = X & (INTER_TAB - 1);
      const fy = Y & (INTER_TAB - 1);
      if (sx < 0 || sy < 0 || sx + 1 >= sourceWidth || sy + 1 >= sourceHeight) {
        sampleAtBorder(image, sx, sy, fx, fy, out, o);
        continue;
      }
      // weights (32 - fx)(32 - fy)·32 ... sum to 2^15, so no sum exceeds 255 · 2^15 and none needs saturating
      const w00 = (INTER_TAB - fx) * (INTER_TAB - fy) * INTER_TAB;
      const w01 = fx * (INTER_TAB - fy) * INTER_TAB;
      const w10 = (INTER_TAB - fx) * fy * INTER_TAB;
      const w11 = fx * fy * INTER_TAB;
      const a = sy * stride + sx * 3;
      const b = a + stride;
      out[o] = (data[a] * w00 + data[a + 3] * w01 + data[b] * w10 + data[b + 3] * w11 + (1 << 14)) >> 15;
      out[o + 1] = (data[a + 1] * w00 + data[a + 4] * w01 + data[b + 1] * w10 + data[b + 4] * w11 + (1 << 14)) >> 15;
      out[o + 2] = (data[a + 2] * w00 + data[a + 5] * w01 + data[b + 2] * w10 + data[b + 5] * w11 + (1 << 14)) >> 15;
    }
  }
  return { width, height, data: out };
}

/** One output pixel from the 2x2 taps at (sx, sy) with weights in 1/32 steps; taps outside the image are black. */
function sampleAtBorder(image: RgbImage, sx: number, sy: number, fx: number, fy: number, out: Uint8Array, o: number): void {
  const { width, height, data } = image;
  if (sx >= width || sx + 1 < 0 || sy >= height || sy + 1 < 0) return;
  // weights (32 - fx)(32 - fy)·32 ... sum to 2^15
  const w00 = (INTER_TAB - fx) * (INTER_TAB - fy) * INTER_TAB;
  const w01 = fx * (INTER_TAB - fy) * INTER_TAB;
  const w10 = (INTER_TAB - fx) * fy * INTER_TAB;
  const w11 = fx * fy * INTER_TAB;
  const inX0 = sx >= 0;
  const inX1 = sx + 1 < width;
  const inY0 = sy >= 0;
  const inY1 = sy + 1 < height;
  const r0 = sy * width;
  const r1 = r0 + width;
  for (let c = 0; c < 3; c++) {
    const v00 = inY0 && inX0 ? data[(r0 + sx) * 3 + c] : 0;
    const v01 = inY0 && inX1 ? data[(r0 + sx + 1) * 3 + c] : 0;
    const v10 = inY1 && inX0 ? data[(r1 + sx) * 3 + c] : 0;
    const v11 = inY1 && inX1 ? data[(r1 + sx + 1) * 3 + c] : 0;
    const v = (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + (1 << 14)) >> 15;
    out[o + c] = v > 255 ? 255 : v;
  }
}
