import { KernelHelper, kernelThreads } from "../wasm/helper-thread.js";
import { growMemory, WASM_PAGE, wasmApi as wasm, type WasmMemory } from "../wasm/webassembly.js";
import { gemmModuleBytes, OUT_BLOCK } from "./gemm-wasm-code.js";

type Gemm = (x: number, rows: number, w: number, outDim: number, inDim: number, y: number, yStride: number) => void;

interface Kernel {
  readonly memory: WasmMemory;
  readonly gemm: Gemm;
  /** The helper thread that takes half of large products; absent on one core. */
  readonly helper?: KernelHelper;
}

/** 1 GiB: the largest single product (a 5120 × 1280 weight) needs 27 MB. */
const MAX_PAGES = 16384;
/** Products smaller than this are not worth waking the helper thread for. */
const SPLIT_MIN_WORK = 1 << 22;

let kernel: Kernel | null | undefined;

/**
 * The SIMD kernel, compiled once (plus one helper thread on multi-core machines unless
 * INSTANTID_THREADS=1); null without WebAssembly SIMD.
 */
function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    if (!wasm) throw new Error("no WebAssembly");
    const threads = kernelThreads();
    const bytes = gemmModuleBytes(threads > 1, MAX_PAGES);
    const memory = threads > 1 ? new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }) : new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    kernel = {
      memory,
      gemm: instance.exports.gemm as Gemm,
      helper: threads > 1 ? new KernelHelper([{ bytes, exportName: "gemm" }], memory) : undefined,
    };
  } catch {
    kernel = null;
  }
  return kernel;
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** Copies a [rows, cols] matrix into memory at `at` with `paddedCols` columns, zero-filling padding. */
function place(
  target: Float32Array,
  at: number,
  source: Float32Array,
  rows: number,
  cols: number,
  paddedRows: number,
  paddedCols: number,
): void {
  if (cols === paddedCols) target.set(source.subarray(0, rows * cols), at);
  else
    for (let r = 0; r < rows; r++) {
      target.set(source.subarray(r * cols, (r + 1) * cols), at + r * paddedCols);
      target.fill(0, at + r * paddedCols + cols, at + (r + 1) * paddedCols);
    }
  target.fill(0, at + rows * paddedCols, at + paddedRows * paddedCols);
}

/** Pinned weights may use this much of the kernel's memory; the rest stays free for per-call operands. Pinned space is never reclaimed. */
const PIN_BUDGET_FLOATS = (MAX_PAGES * WASM_PAGE) / 4 / 2;

/** Weights copied into the kernel's memory once (float offset of their padded copy), and where that pinned region ends. */
const pinned = new WeakMap<Float32Array, number>();
let pinnedEnd = 0;

function growTo(k: Kernel, floats: number): boolean {
  return growMemory(k.memory, floats * 4, MAX_PAGES);
}

/**
 * Copies a weight [outDim, inDim] into the kernel's memory for good, so later products with it skip
 * the per-call copy (the Resampler pins its ~220 MB once). The weight must not change afterwards.
 * Pinned space is bounded (512 MiB) and never reclaimed; beyond it weights are simply copied per call.
 * Returns false (and nothing changes) when the kernel is unavailable or its memory is full.
 */
export function pinWeights(w: Float32Array, outDim: number): boolean {
  const k = loadKernel();
  if (!k) return false;
  if (pinned.has(w)) return true;
  const inDim = w.length / outDim;
  const padIn = roundUp(inDim, 4);
  const padOut = roundUp(outDim, OUT_BLOCK);
  if (pinnedEnd + padOut * padIn > PIN_BUDGET_FLOATS || !growTo(k, pinnedEnd + padOut * padIn)) return false;
  place(new Float32Array(k.memory.buffer), pinnedEnd, w, outDim, inDim, padOut, padIn);
  pinned.set(w, pinnedEnd);
  pinnedEnd += padOut * padIn;
  return true;
}

/**
 * out = x · wᵀ with the WebAssembly SIMD kernel: operands are copied into the kernel's memory
 * (padded to its block sizes; pinned weights are already there), large products are split by output
 * features between this thread and a helper thread, and the result is copied back. Returns false
 * when the kernel cannot run it.
 */
export function wasmLinear(x: Float32Array, rows: number, w: Float32Array, outDim: number, out: Float32Array): boolean {
  const k = loadKernel();
  if (!k) return false;
  const inDim = w.length / outDim;
  const padIn = roundUp(inDim, 4);
  const padRows = roundUp(rows, 4);
  const padOut = roundUp(outDim, OUT_BLOCK);
  const pinnedAt = pinned.get(w);
  const wAt = pinnedAt ?? pinnedEnd;
  const xAt = pinnedAt === undefined ? pinnedEnd + padOut * padIn : pinnedEnd;
  const yAt = xAt + padRows * padIn;
  if (!growTo(k, yAt + padRows * padOut)) return false;
  const heap = new Float32Array(k.memory.buffer);
  if (pinnedAt === undefined) place(heap, wAt, w, outDim, inDim, padOut, padIn);
  place(heap, xAt, x, rows, inDim, padRows, padIn);
  const split = k.helper?.ready && rows * w.length >= SPLIT_MIN_WORK ? roundUp(padOut / 2, OUT_BLOCK) : padOut;
  const job =
    split < padOut
      ? k.helper!.start(0, [xAt * 4, padRows, (wAt + split * padIn) * 4, padOut - split, padIn, (yAt + split) * 4, padOut])
      : 0;
  k.gemm(xAt * 4, padRows, wAt * 4, split, padIn, yAt * 4, padOut);
  if (job) k.helper!.finish(job);
  if (padOut === outDim) out.set(heap.subarray(yAt, yAt + rows * outDim));
  else for (let r = 0; r < rows; r++) out.set(heap.subarray(yAt + r * padOut, yAt + r * padOut + outDim), r * outDim);
  return true;
}

/** Whether large products are being shared with the helper thread (it starts asynchronously). */
export function wasmHelperReady(): boolean {
  return loadKernel()?.helper?.ready ?? false;
}

/** Whether the SIMD kernel runs on this platform. */
export function wasmGemmAvailable(): boolean {
  return loadKernel() !== null;
}
