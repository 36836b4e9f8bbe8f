import type { RgbImage } from "../image/rgb-image.js";

// OpenCV's INTER_LINEAR for 8-bit images works in fixed point: 11-bit weights per axis,
// horizontal sums kept as int, the vertical blend done as (((S0 >> 4) * b0) >> 16) + (((S1 >> 4) * b1) >> 16)
// rounded by 2 bits (its SIMD path). Reproducing it keeps our letterbox bit-identical to insightface's.
const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** Round half to even, as OpenCV's cvRound / saturate_cast do on x86. */
function roundEven(value: number): number {
  const r = Math.round(value);
  return r - value === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface AxisTable {
  readonly index0: Int32Array;
  readonly index1: Int32Array;
  readonly weight0: Int32Array;
  readonly weight1: Int32Array;
}

/** Source indices and fixed-point weights for one axis, as OpenCV's resize computes them (float32 positions). */
function axisTable(srcSize: number, dstSize: number, clampWeight: boolean): AxisTable {
  const scale = 1 / (dstSize / srcSize);
  const index0 = new Int32Array(dstSize);
  const index1 = new Int32Array(dstSize);
  const weight0 = new Int32Array(dstSize);
  const weight1 = new Int32Array(dstSize);
  for (let d = 0; d < dstSize; d++) {
    const position = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(position);
    let f = Math.fround(position - s);
    if (clampWeight && s < 0) (f = 0), (s = 0);
    if (clampWeight && s >= srcSize - 1) (f = 0), (s = srcSize - 1);
    index0[d] = Math.min(Math.max(s, 0), srcSize - 1);
    index1[d] = Math.min(Math.max(s + 1, 0), srcSize - 1);
    weight0[d] = roundEven(Math.fround(1 - f) * COEF_SCALE);
    weight1[d] = roundEven(f * COEF_SCALE);
  }
  return { index0, index1, weight0, weight1 };
}

/** Horizontal pass of one source row into int sums (weights scaled by 2^11). */
function resizeRow(src: Uint8Array, rowStart: number, table: AxisTable, out: Int32Array): void {
  const { index0, index1, weight0, weight1 } = table;
  for (let x = 0, o = 0; x < index0.length; x++, o += 3) {
    const a = rowStart + index0[x] * 3;
    const b = rowStart + index1[x] * 3;
    const w0 = weight0[x];
    const w1 = weight1[x];
    out[o] = src[a] * w0 + src[b] * w1;
    out[o + 1] = src[a + 1] * w0 + src[b + 1] * w1;
    out[o + 2] = src[a + 2] * w0 + src[b + 2] * w1;
  }
}

/**
 * Resizes an RGB image with OpenCV's `cv2.resize(..., INTER_LINEAR)` kernel, reproduced to the bit:
 * plain bilinear sampling at ((x + 0.5) * scale - 0.5), no antialiasing, borders clamped.
 * Image libraries' default (antialiased) kernels move SCRFD keypoints by up to 2% of the face width.
 */
export function resizeLinear(image: RgbImage, width: number, height: number): RgbImage {
  const xs = axisTable(image.width, width, true);
  const ys = axisTable(image.height, height, false);
  const out = new Uint8Array(width * height * 3);
  const rowLength = width * 3;
  let row0 = new Int32Array(rowLength);
  let row1 = new Int32Array(rowLength);
  let cached0 = -1;
  let cached1 = -1;
  const srcStride = image.width * 3;
  for (let y = 0; y < height; y++) {
    const s0 = ys.index0[y];
    const s1 = ys.index1[y];
    if (s0 === cached1 && s0 !== cached0) {
      [row0, row1] = [row1, row0];
      [cached0, cached1] = [cached1, cached0];
    }
    if (cached0 !== s0) resizeRow(image.data, s0 * srcStride, xs, row0), (cached0 = s0);
    if (cached1 !== s1) resizeRow(image.data, s1 * srcStride, xs, row1), (cached1 = s1);
    blendRows(row0, row1, ys.weight0[y], ys.weight1[y], out, y * rowLength);
  }
  return { width, height, data: out };
}

function blendRows(row0: Int32Array, row1: Int32Array, b0: number, b1: number, out: Uint8Array, offset: number): void {
  for (let i = 0; i < row0.length; i++) {
    const v = (((row0[i] >> 4) * b0) >> 16) + (((row1[i] >> 4) * b1) >> 16);
    const r = (v + 2) >> 2;
    out[offset + i] = r < 0 ? 0 : r > 255 ? 255 : r;
  }
}
