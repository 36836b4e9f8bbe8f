import type { RgbImage } from "../image/rgb-image.js";
import { axisTable } from "./resize-axis.js";
import { resizeLinearJs } from "./resize-linear-js.js";
import { resizeLinearWasm, resizeLinearWasmToTensor } from "./resize-wasm.js";

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
 * Runs the WebAssembly SIMD kernel where it can, else the JavaScript one; both give the same bits.
 */
export function resizeLinearToPlanes(image: RgbImage, width: number, height: number, target: PlanarTarget): void {
  const xs = axisTable(image.width, width, true, 3);
  const ys = axisTable(image.height, height, false, 1);
  if (!resizeLinearWasm(image, xs, ys, target)) resizeLinearJs(image, xs, ys, target);
}

/** An NCHW float tensor [3, rows, rowStride] with planes in `order`, values normalised through `table`. */
export interface TensorLayout {
  readonly rowStride: number;
  readonly rows: number;
  readonly order: "RGB" | "BGR";
  readonly table: Float32Array;
}

/**
 * The same resize into an NCHW tensor (`data`, or a new array): the resized area is written top-left
 * and the rest is left for the caller to pad (a letterbox). On the WebAssembly kernel this is one
 * copy out of its memory; it writes whole rows there, which is why the padding is the caller's.
 */
export function resizeLinearToTensor(image: RgbImage, width: number, height: number, layout: TensorLayout, data: Float32Array = new Float32Array(3 * layout.rowStride * layout.rows)): Float32Array {
  const xs = axisTable(image.width, width, true, 3);
  const ys = axisTable(image.height, height, false, 1);
  if (resizeLinearWasmToTensor(image, xs, ys, layout.table, layout, data)) return data;
  const plane = layout.rowStride * layout.rows;
  const planes = layout.order === "RGB" ? ([0, plane, 2 * plane] as const) : ([2 * plane, plane, 0] as const);
  resizeLinearJs(image, xs, ys, { data, planes, rowStride: layout.rowStride, table: layout.table });
  return data;
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
