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

/** Source offsets (index × channels) and fixed-point weights for one axis, as OpenCV's resize computes them (float32 positions). */
function axisTable(srcSize: number, dstSize: number, clampWeight: boolean, channels: number): AxisTable {
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
    index0[d] = Math.min(Math.max(s, 0), srcSize - 1) * channels;
    index1[d] = Math.min(Math.max(s + 1, 0), srcSize - 1) * channels;
    weight0[d] = roundEven(Math.fround(1 - f) * COEF_SCALE);
    weight1[d] = roundEven(f * COEF_SCALE);
  }
  return { index0, index1, weight0, weight1 };
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

/** Where resized pixels go: float planes (NCHW), each byte value mapped through `table` on the way. */
export interface PlanarTarget {
  readonly data: Float32Array;
  /** Start of the R, G and B planes in `data`. */
  readonly planes: readonly [number, number, number];
  /** Floats per plane row (the tensor width, which may exceed the resized width). */
  readonly rowStride: number;
  /** Byte value (0-255) → the float written. */
  readonly table: Float32Array;
}

/**
 * Resizes an RGB image with OpenCV's `cv2.resize(..., INTER_LINEAR)` kernel, reproduced to the bit, writing
 * straight into the top-left of float planes (normalised through the target's table) in one pass.
 */
export function resizeLinearToPlanes(image: RgbImage, width: number, height: number, target: PlanarTarget): void {
  const xs = axisTable(image.width, width, true, 3);
  const ys = axisTable(image.height, height, false, 1);
  // Shrinking rarely reuses a source row, so sampling the four taps directly beats caching horizontal passes.
  if (height < image.height) samplePlanes(image, xs, ys, target);
  else blendCachedRows(image, xs, ys, target);
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
      data[q0 + x] = table[clampByte((((((src[a0] * w0 + src[a1] * w1) >> 4) * b0) >> 16) + ((((src[c0] * w0 + src[c1] * w1) >> 4) * b1) >> 16) + 2) >> 2)];
      data[q1 + x] = table[clampByte((((((src[a0 + 1] * w0 + src[a1 + 1] * w1) >> 4) * b0) >> 16) + ((((src[c0 + 1] * w0 + src[c1 + 1] * w1) >> 4) * b1) >> 16) + 2) >> 2)];
      data[q2 + x] = table[clampByte((((((src[a0 + 2] * w0 + src[a1 + 2] * w1) >> 4) * b0) >> 16) + ((((src[c0 + 2] * w0 + src[c1 + 2] * w1) >> 4) * b1) >> 16) + 2) >> 2)];
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

const IDENTITY = Float32Array.from({ length: 256 }, (_, v) => v);

/**
 * Resizes an RGB image with OpenCV's `cv2.resize(..., INTER_LINEAR)` kernel, reproduced to the bit:
 * plain bilinear sampling at ((x + 0.5) * scale - 0.5), no antialiasing, borders clamped.
 * Image libraries' default (antialiased) kernels move SCRFD keypoints by up to 2% of the face width.
 */
export function resizeLinear(image: RgbImage, width: number, height: number): RgbImage {
  const plane = width * height;
  const planes = new Float32Array(plane * 3);
  resizeLinearToPlanes(image, width, height, { data: planes, planes: [0, plane, 2 * plane], rowStride: width, table: IDENTITY });
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    data[i * 3] = planes[i];
    data[i * 3 + 1] = planes[plane + i];
    data[i * 3 + 2] = planes[2 * plane + i];
  }
  return { width, height, data };
}
