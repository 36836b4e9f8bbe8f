import type { RgbImage } from "../image/rgb-image.js";
import { type PlanarTarget, writePlanes } from "./planar-target.js";
import type { AxisTable } from "./resize-axis.js";
import { type Normalisation, ResizeKernel } from "./resize-kernel.js";
import { javaScriptKernelAsked } from "./wasm-instance.js";

/** The kernel reads 8 bytes at a row's last pixel. */
const SOURCE_SLACK = 16;

let kernel: ResizeKernel | null | undefined;

/** The shared kernel, loaded once; null without WebAssembly SIMD, or while the JavaScript one is asked for. */
function loadKernel(): ResizeKernel | null {
  if (javaScriptKernelAsked()) return null;
  if (kernel === undefined) kernel = ResizeKernel.load();
  return kernel;
}

/** Whether the WebAssembly resize kernel runs on this platform. */
export function wasmResizeAvailable(): boolean {
  return loadKernel() !== null;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Byte addresses of the kernel's operands for one call; the output comes first, at 0, so it can be read in place. */
interface Layout {
  readonly out: number;
  readonly table: number;
  readonly xOffsets: number;
  readonly xWeights: number;
  readonly yTable: number;
  readonly src: number;
  readonly end: number;
}

function layout(width: number, height: number, outFloats: number, sourceBytes: number): Layout {
  const out = 0;
  const table = align16(outFloats * 4);
  const xOffsets = table + 1024;
  const xWeights = align16(xOffsets + width * 4);
  const yTable = xWeights + width * 16;
  const src = yTable + height * 16;
  return { out, table, xOffsets, xWeights, yTable, src, end: src + sourceBytes + SOURCE_SLACK };
}

/** The kernel takes a column's right tap as the next pixel: true when every column's is, or weighs nothing. */
function rightTapIsNextPixel(xs: AxisTable): boolean {
  for (let x = 0; x < xs.index0.length; x++) if (xs.index1[x] !== xs.index0[x] + 3 && xs.weight1[x] !== 0) return false;
  return true;
}

/** The source rows the output needs, in order: a shrink reads two rows per output row, so only those are copied. */
function neededRows(ys: AxisTable, sourceHeight: number): number[] {
  const needed = new Uint8Array(sourceHeight);
  for (let y = 0; y < ys.index0.length; y++) needed[ys.index0[y]] = needed[ys.index1[y]] = 1;
  const rows: number[] = [];
  for (let row = 0; row < sourceHeight; row++) if (needed[row]) rows.push(row);
  return rows;
}

/** Bytes the copied rows take. */
const rowsBytes = (rows: readonly number[], stride: number) => rows.length * stride;

/**
 * Copies the needed rows into memory from `at`, consecutive runs at once, and returns where each
 * source row landed (bytes from `at`, by row).
 */
function copyRows(image: RgbImage, rows: readonly number[], heap: Uint8Array, at: number): Int32Array {
  const stride = image.width * 3;
  const rowAt = new Int32Array(image.height);
  let cursor = at;
  for (let i = 0; i < rows.length; ) {
    let run = 1;
    while (i + run < rows.length && rows[i + run] === rows[i] + run) run++;
    const from = rows[i] * stride;
    heap.set(image.data.subarray(from, from + run * stride), cursor);
    for (let k = 0; k < run; k++) rowAt[rows[i] + k] = cursor - at + k * stride;
    cursor += run * stride;
    i += run;
  }
  return rowAt;
}

/**
 * The table as float32 (v − mean) · scale, when that reproduces every entry to the bit (it does for
 * SCRFD's (x − 127.5) / 128 and for plain bytes): the kernel then computes instead of looking up.
 */
export function affineOf(table: Float32Array): { mean: number; scale: number } | undefined {
  const scale = Math.fround(table[1] - table[0]);
  const mean = Math.fround(-table[0] / scale) + 0; // + 0 turns -0 into 0
  for (let v = 0; v < 256; v++) if (Math.fround(Math.fround(v - mean) * scale) !== table[v]) return undefined;
  return { mean, scale };
}

function writeTables(
  heap: ArrayBuffer,
  at: Layout,
  xs: AxisTable,
  ys: AxisTable,
  rowAt: Int32Array,
  table: Float32Array | { mean: number; scale: number },
): void {
  if (table instanceof Float32Array) new Float32Array(heap, at.table, 256).set(table);
  else new Float32Array(heap, at.table, 2).set([table.mean, table.scale]);
  new Int32Array(heap, at.xOffsets, xs.index0.length).set(xs.index0);
  const weights = new Int16Array(heap, at.xWeights, xs.index0.length * 8);
  for (let x = 0, i = 0; x < xs.index0.length; x++, i += 8) {
    weights[i] = weights[i + 2] = weights[i + 4] = xs.weight0[x];
    weights[i + 1] = weights[i + 3] = weights[i + 5] = xs.weight1[x];
    weights[i + 6] = weights[i + 7] = 0;
  }
  const yTable = new Int32Array(heap, at.yTable, ys.index0.length * 4);
  for (let y = 0, i = 0; y < ys.index0.length; y++, i += 4) {
    yTable[i] = rowAt[ys.index0[y]];
    yTable[i + 1] = rowAt[ys.index1[y]];
    yTable[i + 2] = ys.weight0[y];
    yTable[i + 3] = ys.weight1[y];
  }
}

/** Where the kernel writes: planes of `rows` rows of `rowStride` floats, in R, G, B order or reversed. */
export interface KernelOutput {
  readonly rowStride: number;
  readonly rows: number;
  readonly order: "RGB" | "BGR";
}

/**
 * Runs `kernel` with its output laid out as asked, at the start of its memory; returns the memory as floats
 * (valid until the kernel's next call), or undefined when the kernel cannot run it.
 */
function runKernel(
  kernel: ResizeKernel,
  image: RgbImage,
  xs: AxisTable,
  ys: AxisTable,
  table: Float32Array,
  output: KernelOutput,
): Float32Array | undefined {
  if (!rightTapIsNextPixel(xs)) return undefined;
  const width = xs.index0.length;
  const height = ys.index0.length;
  const plane = output.rowStride * output.rows;
  const rows = neededRows(ys, image.height);
  const at = layout(width, height, 3 * plane, rowsBytes(rows, image.width * 3));
  const heap = kernel.heap(at.end);
  if (!heap) return undefined;
  const affine = affineOf(table);
  const rowAt = copyRows(image, rows, new Uint8Array(heap), at.src);
  writeTables(heap, at, xs, ys, rowAt, affine ?? table);
  const [first, step] = output.order === "RGB" ? [at.out, plane * 4] : [at.out + 2 * plane * 4, -plane * 4];
  const mode: Normalisation = affine ? "affine" : "table";
  kernel.resize[mode](at.src, at.xOffsets, at.xWeights, at.yTable, width, height, first, step, at.table, output.rowStride * 4);
  return new Float32Array(heap);
}

/**
 * The INTER_LINEAR resize on the WebAssembly SIMD kernel (bit-identical to the JavaScript one),
 * writing only the resized area of the target's planes. Returns false, having written nothing,
 * when the kernel cannot run it.
 */
export function resizeLinearWasm(image: RgbImage, xs: AxisTable, ys: AxisTable, target: PlanarTarget): boolean {
  const width = xs.index0.length;
  const height = ys.index0.length;
  const k = loadKernel();
  const heap = k && runKernel(k, image, xs, ys, target.table, { rowStride: width, rows: height, order: "RGB" });
  if (!heap) return false;
  writePlanes(heap, width, height, target);
  return true;
}

/** The kernel's output layout when the target's planes tile its data (an NCHW tensor, RGB or BGR). */
function wholeTensor(target: PlanarTarget): KernelOutput | undefined {
  const plane = target.data.length / 3;
  const rows = plane / target.rowStride;
  const [r, g, b] = target.planes;
  if (!Number.isInteger(rows) || g !== plane) return undefined;
  if (r === 0 && b === 2 * plane) return { rowStride: target.rowStride, rows, order: "RGB" };
  if (r === 2 * plane && b === 0) return { rowStride: target.rowStride, rows, order: "BGR" };
  return undefined;
}

/**
 * The same resize into a target whose planes tile its data (an NCHW tensor): the resized area is
 * written top-left, the rest of its rows gets unspecified values and the rows below are left as they were,
 * all for the caller to pad. One block copy per plane out of the kernel's memory. Returns false, having
 * written nothing, when the kernel cannot run it.
 */
export function resizeLinearWasmToTensor(image: RgbImage, xs: AxisTable, ys: AxisTable, target: PlanarTarget): boolean {
  const output = wholeTensor(target);
  const k = loadKernel();
  const heap = output && k && runKernel(k, image, xs, ys, target.table, output);
  if (!heap) return false;
  // Only the rows holding resized pixels: the caller pads the rest anyway.
  const plane = output.rowStride * output.rows;
  const used = output.rowStride * ys.index0.length;
  for (let p = 0; p < 3; p++) target.data.set(heap.subarray(p * plane, p * plane + used), p * plane);
  return true;
}

/**
 * The same resize run by `kernel` into an NCHW tensor [1, 3, rows, rowStride] that stays in the kernel's memory:
 * returns that tensor as a view (valid until the kernel's next call, which nothing else makes), or undefined,
 * having written nothing, when the kernel cannot run it. The resized area is written top-left; the rest of the
 * tensor keeps what the kernel's previous call left there, for the caller to pad.
 */
export function resizeLinearWasmInPlace(
  kernel: ResizeKernel,
  image: RgbImage,
  xs: AxisTable,
  ys: AxisTable,
  table: Float32Array,
  output: KernelOutput,
): Float32Array | undefined {
  return runKernel(kernel, image, xs, ys, table, output)?.subarray(0, 3 * output.rowStride * output.rows);
}
