import type { RgbImage } from "../image/rgb-image.js";
import { growMemory, wasmApi, type WasmMemory } from "../wasm/webassembly.js";
import type { AxisTable } from "./resize-axis.js";
import type { PlanarTarget } from "./resize-linear.js";
import { resizeModuleBytes } from "./resize-wasm-code.js";

type Resize = (src: number, xOffsets: number, xWeights: number, yTable: number, width: number, height: number, out: number, planeBytes: number, table: number) => void;

interface Kernel {
  readonly memory: WasmMemory;
  readonly resize: Resize;
}

/** 1 GiB; a letterbox needs a few MB, and anything larger than this falls back to JavaScript. */
const MAX_PAGES = 16384;
/** The kernel reads 8 bytes at a row's last pixel. */
const SOURCE_SLACK = 16;

let kernel: Kernel | null | undefined;

/** The kernel, compiled once; null without WebAssembly SIMD (or with INSTANTID_SIMD=0). */
function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    if (!wasmApi || process.env.INSTANTID_SIMD === "0") throw new Error("WebAssembly SIMD disabled");
    const memory = new wasmApi.Memory({ initial: 1 });
    const instance = new wasmApi.Instance(new wasmApi.Module(resizeModuleBytes()), { env: { memory } });
    kernel = { memory, resize: instance.exports.resize as Resize };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Whether the WebAssembly resize kernel runs on this platform. */
export function wasmResizeAvailable(): boolean {
  return loadKernel() !== null;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Byte addresses of the kernel's operands for one call. */
interface Layout {
  readonly table: number;
  readonly xOffsets: number;
  readonly xWeights: number;
  readonly yTable: number;
  readonly out: number;
  readonly src: number;
  readonly end: number;
}

function layout(width: number, height: number, sourceBytes: number): Layout {
  const table = 0;
  const xOffsets = 1024;
  const xWeights = align16(xOffsets + width * 4);
  const yTable = xWeights + width * 16;
  const out = yTable + height * 16;
  const src = out + 3 * width * height * 4;
  return { table, xOffsets, xWeights, yTable, out, src, end: src + sourceBytes + SOURCE_SLACK };
}

/** The kernel takes a column's right tap as the next pixel: true when every column's is, or weighs nothing. */
function rightTapIsNextPixel(xs: AxisTable): boolean {
  for (let x = 0; x < xs.index0.length; x++) if (xs.index1[x] !== xs.index0[x] + 3 && xs.weight1[x] !== 0) return false;
  return true;
}

/**
 * The source rows the output needs, in order, each with its place in the compact copy: a shrink
 * reads two rows per output row, so only those are copied into the kernel's memory.
 */
function neededRows(ys: AxisTable, sourceHeight: number): { rows: number[]; slot: Int32Array } {
  const slot = new Int32Array(sourceHeight).fill(-1);
  const rows: number[] = [];
  for (let y = 0; y < ys.index0.length; y++) {
    for (const row of [ys.index0[y], ys.index1[y]]) if (slot[row] < 0) (slot[row] = rows.length), rows.push(row);
  }
  return { rows, slot };
}

/** Copies the needed rows into memory at `at`, consecutive runs at once. */
function copyRows(image: RgbImage, rows: readonly number[], heap: Uint8Array, at: number): void {
  const stride = image.width * 3;
  for (let i = 0; i < rows.length; ) {
    let run = 1;
    while (i + run < rows.length && rows[i + run] === rows[i] + run) run++;
    heap.set(image.data.subarray(rows[i] * stride, (rows[i] + run) * stride), at + i * stride);
    i += run;
  }
}

function writeTables(heap: ArrayBuffer | SharedArrayBuffer, at: Layout, xs: AxisTable, ys: AxisTable, slot: Int32Array, stride: number, table: Float32Array): void {
  new Float32Array(heap, at.table, 256).set(table);
  new Int32Array(heap, at.xOffsets, xs.index0.length).set(xs.index0);
  const weights = new Int16Array(heap, at.xWeights, xs.index0.length * 8);
  for (let x = 0; x < xs.index0.length; x++) {
    const w0 = xs.weight0[x];
    const w1 = xs.weight1[x];
    weights.set([w0, w1, w0, w1, w0, w1, 0, 0], x * 8);
  }
  const yTable = new Int32Array(heap, at.yTable, ys.index0.length * 4);
  for (let y = 0; y < ys.index0.length; y++) {
    yTable.set([slot[ys.index0[y]] * stride, slot[ys.index1[y]] * stride, ys.weight0[y], ys.weight1[y]], y * 4);
  }
}

function copyPlanesOut(heap: ArrayBuffer | SharedArrayBuffer, at: number, width: number, height: number, target: PlanarTarget): void {
  const plane = width * height;
  const out = new Float32Array(heap, at, plane * 3);
  for (let c = 0; c < 3; c++) {
    const from = c * plane;
    if (target.rowStride === width) target.data.set(out.subarray(from, from + plane), target.planes[c]);
    else for (let y = 0; y < height; y++) target.data.set(out.subarray(from + y * width, from + (y + 1) * width), target.planes[c] + y * target.rowStride);
  }
}

/**
 * The INTER_LINEAR resize on the WebAssembly SIMD kernel (bit-identical to the JavaScript one):
 * the rows it needs and its tables are copied into the kernel's memory, the planes copied back.
 * Returns false, having written nothing, when the kernel cannot run it.
 */
export function resizeLinearWasm(image: RgbImage, xs: AxisTable, ys: AxisTable, target: PlanarTarget): boolean {
  const k = loadKernel();
  if (!k || !rightTapIsNextPixel(xs)) return false;
  const width = xs.index0.length;
  const height = ys.index0.length;
  const stride = image.width * 3;
  const { rows, slot } = neededRows(ys, image.height);
  const at = layout(width, height, rows.length * stride);
  if (!growMemory(k.memory, at.end, MAX_PAGES)) return false;
  const heap = k.memory.buffer;
  writeTables(heap, at, xs, ys, slot, stride, target.table);
  copyRows(image, rows, new Uint8Array(heap), at.src);
  k.resize(at.src, at.xOffsets, at.xWeights, at.yTable, width, height, at.out, width * height * 4, at.table);
  copyPlanesOut(heap, at.out, width, height, target);
  return true;
}
