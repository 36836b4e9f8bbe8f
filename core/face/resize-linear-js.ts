import type { RgbImage } from "../image/rgb-image.js";
import type { AxisTable } from "./resize-axis.js";
import type { PlanarTarget } from "./planar-target.js";

/**
 * The plain JavaScript kernels of the bit-exact INTER_LINEAR resize: the reference the WebAssembly
 * kernel is tested against, and the fallback where WebAssembly SIMD is missing.
 */
export function resizeLinearJs(image: RgbImage, xs: AxisTable, ys: AxisTable, target: PlanarTarget): void {
  // Shrinking rarely reuses a source row, so sampling the four taps directly beats caching horizontal passes.
  if (ys.index0.length < image.height) samplePlanes(image, xs, ys, target);
  else blendCachedRows(image, xs, ys, target);
}

/** Horizontal pass of one source row into int sums (weights scaled by 2^11). */
function resizeRow(src: Uint8Array, rowStart: number, table: AxisTable, out: Int32Array): void {
  const { index0, index1, weight0, weight1 } = table;
  for (let x = 0, o = 0; x < index0.length; x++, o += 3) {
    const a = rowStart + index0[x];
    const b = rowStart + index1[x];
    const w0 = weight0[x];
    const w1 = weight1[x];
    out[o] = src[a] * w0 + src[b] * w1;
    out[o + 1] = src[a + 1] * w0 + src[b + 1] * w1;
    out[o + 2] = src[a + 2] * w0 + src[b + 2] * w1;
  }
}

const clampByte = (v: number) => (v > 255 ? 255 : v);

function samplePlanes(image: RgbImage, xs: AxisTable, ys: AxisTable, target: PlanarTarget): void {
  const src = image.data;
  const stride = image.width * 3;
  const { index0, index1, weight0, weight1 } = xs;
  const { data, table } = target;
  for (let y = 0; y < ys.index0.length; y++) {
    const r0 = ys.index0[y] * stride;
    const r1 = ys.index1[y] * stride;
    const b0 = ys.weight0[y];
    const b1 = ys.weight1[y];
    const q0 = target.planes[0] + y * target.rowStride;
    const q1 = target.planes[1] + y * target.rowStride;
    const q2 = target.planes[2] + y * target.rowStride;
    for (let x = 0; x < index0.length; x++) {
      const a0 = r0 + index0[x];
      const a1 = r0 + index1[x];
      const c0 = r1 + index0[x];
      const c1 = r1 + index1[x];
      const w0 = weight0[x];
      const w1 = weight1[x];
      data[q0 + x] =
        table[
          clampByte((((((src[a0] * w0 + src[a1] * w1) >> 4) * b0) >> 16) + ((((src[c0] * w0 + src[c1] * w1) >> 4) * b1) >> 16) + 2) >> 2)
        ];
      data[q1 + x] =
        table[
          clampByte(
            (((((src[a0 + 1] * w0 + src[a1 + 1] * w1) >> 4) * b0) >> 16) +
              ((((src[c0 + 1] * w0 + src[c1 + 1] * w1) >> 4) * b1) >> 16) +
              2) >>
              2,
          )
        ];
      data[q2 + x] =
        table[
          clampByte(
            (((((src[a0 + 2] * w0 + src[a1 + 2] * w1) >> 4) * b0) >> 16) +
              ((((src[c0 + 2] * w0 + src[c1 + 2] * w1) >> 4) * b1) >> 16) +
              2) >>
              2,
          )
        ];
    }
  }
}

function blendCachedRows(image: RgbImage, xs: AxisTable, ys: AxisTable, target: PlanarTarget): void {
  const rowLength = xs.index0.length * 3;
  let row0 = new Int32Array(rowLength);
  let row1 = new Int32Array(rowLength);
  let cached0 = -1;
  let cached1 = -1;
  const srcStride = image.width * 3;
  for (let y = 0; y < ys.index0.length; y++) {
    const s0 = ys.index0[y];
    const s1 = ys.index1[y];
    if (s0 === cached1 && s0 !== cached0) {
      [row0, row1] = [row1, row0];
      [cached0, cached1] = [cached1, cached0];
    }
    if (cached0 !== s0) resizeRow(image.data, s0 * srcStride, xs, row0), (cached0 = s0);
    if (cached1 !== s1) resizeRow(image.data, s1 * srcStride, xs, row1), (cached1 = s1);
    blendRow(row0, row1, ys.weight0[y], ys.weight1[y], target, y);
  }
}

/** The vertical blend of OpenCV's SIMD path ((S >> 4) · β >> 16, rounded by 2 bits, saturated) into the planes. */
function blendRow(row0: Int32Array, row1: Int32Array, b0: number, b1: number, target: PlanarTarget, y: number): void {
  const { data, table } = target;
  const q0 = target.planes[0] + y * target.rowStride;
  const q1 = target.planes[1] + y * target.rowStride;
  const q2 = target.planes[2] + y * target.rowStride;
  for (let x = 0, i = 0; i < row0.length; x++, i += 3) {
    data[q0 + x] = table[clampByte(((((row0[i] >> 4) * b0) >> 16) + (((row1[i] >> 4) * b1) >> 16) + 2) >> 2)];
    data[q1 + x] = table[clampByte(((((row0[i + 1] >> 4) * b0) >> 16) + (((row1[i + 1] >> 4) * b1) >> 16) + 2) >> 2)];
    data[q2 + x] = table[clampByte(((((row0[i + 2] >> 4) * b0) >> 16) + (((row1[i + 2] >> 4) * b1) >> 16) + 2) >> 2)];
  }
}
