import type { RgbImage } from "../image/rgb-image.js";
import { type PlanarTarget, writePlanes } from "./planar-target.js";
import type { AffineMatrix } from "./similarity.js";
import { type WarpPlan, warpPlan } from "./warp-affine.js";
import { WARP_KERNEL_WASM } from "./warp-kernel-bytes.js";
import { javaScriptKernelAsked, WasmInstance } from "./wasm-instance.js";

/** warp-kernel.wat's export; all addresses are bytes in the kernel's memory (see the .wat). */
type WarpExport = (
  src: number,
  srcStride: number,
  left: number,
  top: number,
  limitX: number,
  limitY: number,
  columns: number,
  rows: number,
  weights: number,
  width: number,
  height: number,
  out: number,
  planeBytes: number,
  table: number,
) => void;

/** The kernel reads 8 bytes at a row's last pixel. */
const SOURCE_SLACK = 16;
/** 1/32-pixel positions × 32 bytes of weights each. */
const WEIGHT_BYTES = 32 * 32 * 32;

let kernel: { instance: WasmInstance; warp: WarpExport } | null | undefined;

/**
 * The kernel, loaded once with its weight table at the start of its memory (it stays there: every call
 * lays its operands out after it); null without WebAssembly SIMD, or while the JavaScript one is asked for.
 */
function loadKernel() {
  if (javaScriptKernelAsked()) return null;
  if (kernel === undefined) {
    const instance = WasmInstance.load(WARP_KERNEL_WASM);
    const heap = instance?.heap(WEIGHT_BYTES);
    if (heap) new Int16Array(heap, 0, WEIGHT_BYTES / 2).set(weightTable());
    kernel = instance && { instance, warp: instance.exports.warp_table as WarpExport };
  }
  return kernel;
}

/** OpenCV's tap weights per 1/32-pixel position (fy · 32 + fx), divided by 32, laid out as the kernel reads them. */
function weightTable(): Int16Array {
  const table = new Int16Array(WEIGHT_BYTES / 2);
  for (let fy = 0; fy < 32; fy++) {
    for (let fx = 0; fx < 32; fx++) {
      const [a0, a1, b0, b1] = [(32 - fx) * (32 - fy), fx * (32 - fy), (32 - fx) * fy, fx * fy];
      table.set([a0, a1, a0, a1, a0, a1, 0, 0, b0, b1, b0, b1, b0, b1, 0, 0], (fy * 32 + fx) * 16);
    }
  }
  return table;
}

/** The source pixels the output can sample, in image coordinates (inclusive), one black pixel beyond the image at most. */
interface Region {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/**
 * The region the taps of every sampling pixel fall in. The map's fixed-point steps are monotonic along each
 * axis, so its extremes are at the output's corners.
 */
function tapRegion(plan: WarpPlan, image: RgbImage): Region {
  const corners = [0, plan.columnX.length - 1].flatMap((x) => [0, plan.rowX.length - 1].map((y) => [x, y] as const));
  const sx = corners.map(([x, y]) => (plan.rowX[y] + plan.columnX[x]) >> 10);
  const sy = corners.map(([x, y]) => (plan.rowY[y] + plan.columnY[x]) >> 10);
  return {
    left: Math.max(Math.min(...sx), -1),
    top: Math.max(Math.min(...sy), -1),
    right: Math.min(Math.max(...sx) + 1, image.width),
    bottom: Math.min(Math.max(...sy) + 1, image.height),
  };
}

/** Copies the region into memory at `at`, rows `stride` bytes apart, black where it reaches outside the image. */
function copyRegion(image: RgbImage, region: Region, heap: Uint8Array, at: number, stride: number): void {
  const rows = region.bottom - region.top + 1;
  const outside = region.left < 0 || region.top < 0 || region.right >= image.width || region.bottom >= image.height;
  heap.fill(0, outside ? at : at + rows * stride, at + rows * stride + SOURCE_SLACK);
  const from = Math.max(region.left, 0);
  const bytes = (Math.min(region.right, image.width - 1) - from + 1) * 3;
  for (let y = Math.max(region.top, 0); y <= Math.min(region.bottom, image.height - 1); y++) {
    const start = (y * image.width + from) * 3;
    heap.set(image.data.subarray(start, start + bytes), at + (y - region.top) * stride + (from - region.left) * 3);
  }
}

/**
 * OpenCV's warpAffine (as {@link warpAffine}, bit for bit) on the WebAssembly SIMD kernel, writing the
 * `width` × `height` output into the target's planes through its table. Returns false, having written
 * nothing, when the kernel cannot run it.
 */
export function warpAffineWasm(image: RgbImage, forward: AffineMatrix, width: number, height: number, target: PlanarTarget): boolean {
  const k = loadKernel();
  if (!k) return false;
  const plan = warpPlan(forward, width, height);
  const region = tapRegion(plan, image);
  if (region.left > region.right || region.top > region.bottom) return false;
  const stride = (region.right - region.left + 1) * 3;
  const table = WEIGHT_BYTES;
  const columns = table + 1024;
  const rows = columns + width * 8;
  const out = Math.ceil((rows + height * 8) / 16) * 16;
  const plane = width * height;
  const src = out + 3 * plane * 4;
  const heap = k.instance.heap(src + (region.bottom - region.top + 1) * stride + SOURCE_SLACK);
  if (!heap) return false;
  new Float32Array(heap, table, 256).set(target.table);
  const steps = new Int32Array(heap, columns, width * 2);
  for (let x = 0; x < width; x++) [steps[2 * x], steps[2 * x + 1]] = [plan.columnX[x], plan.columnY[x]];
  const starts = new Int32Array(heap, rows, height * 2);
  for (let y = 0; y < height; y++) [starts[2 * y], starts[2 * y + 1]] = [plan.rowX[y], plan.rowY[y]];
  copyRegion(image, region, new Uint8Array(heap), src, stride);
  const limits = [image.width + 1, image.height + 1] as const;
  k.warp(src, stride, region.left, region.top, ...limits, columns, rows, 0, width, height, out, plane * 4, table);
  writePlanes(new Float32Array(heap, out, 3 * plane), width, height, target);
  return true;
}
