import type { RgbImage } from "../image/rgb-image.js";
import type { PlanarTarget } from "./planar-target.js";
import { axisTable } from "./resize-axis.js";
import { resizeLinearJs } from "./resize-linear-js.js";
import { resizeLinearWasm, resizeLinearWasmToTensor } from "./resize-wasm.js";

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

/**
 * The same resize into a target whose planes tile its data (an NCHW tensor, like `NchwTensor`):
 * the resized area is written top-left and the rest is left for the caller to pad (a letterbox). On
 * the WebAssembly kernel this is one block copy per plane out of its memory, which is why the padding is the caller's.
 */
export function resizeLinearToTensor(image: RgbImage, width: number, height: number, target: PlanarTarget): void {
  const xs = axisTable(image.width, width, true, 3);
  const ys = axisTable(image.height, height, false, 1);
  if (!resizeLinearWasmToTensor(image, xs, ys, target)) resizeLinearJs(image, xs, ys, target);
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
