import { gemmModuleBytes } from "./gemm-wasm-code.js";

/** The slice of the WebAssembly JS API used here (the project's type libraries do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface Kernel {
  readonly memory: WasmMemory;
  readonly gemm: (x: number, rows: number, w: number, outDim: number, inDim: number, y: number) => void;
}

let kernel: Kernel | null | undefined;

/** The SIMD kernel, compiled once; null where WebAssembly SIMD is unavailable (then plain JS is used). */
function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    if (!wasm) throw new Error("no WebAssembly");
    const memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(gemmModuleBytes()), { env: { memory } });
    kernel = { memory, gemm: instance.exports.gemm as Kernel["gemm"] };
  } catch {
    kernel = null;
  }
  return kernel;
}

const PAGE = 65536;
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

function ensureBytes(memory: WasmMemory, bytes: number): void {
  const missing = Math.ceil((bytes - memory.buffer.byteLength) / PAGE);
  if (missing > 0) memory.grow(missing);
}

/** Copies a [rows, cols] matrix into memory at `at` with `paddedCols` columns, zero-filling padding. */
function place(target: Float32Array, at: number, source: Float32Array, rows: number, cols: number, paddedRows: number, paddedCols: number): void {
  if (cols === paddedCols) target.set(source.subarray(0, rows * cols), at);
  else for (let r = 0; r < rows; r++) {
    target.set(source.subarray(r * cols, (r + 1) * cols), at + r * paddedCols);
    target.fill(0, at + r * paddedCols + cols, at + (r + 1) * paddedCols);
  }
  target.fill(0, at + rows * paddedCols, at + paddedRows * paddedCols);
}

/**
 * out = x · wᵀ with the WebAssembly SIMD kernel: operands are copied into the kernel's memory
 * (padded to its block sizes) and the result copied back. Returns false when SIMD is unavailable.
 */
export function wasmLinear(x: Float32Array, rows: number, w: Float32Array, outDim: number, out: Float32Array): boolean {
  const k = loadKernel();
  if (!k) return false;
  const inDim = w.length / outDim;
  const padIn = roundUp(inDim, 4);
  const padRows = roundUp(rows, 4);
  const padOut = roundUp(outDim, 2);
  const wAt = 0;
  const xAt = wAt + padOut * padIn;
  const yAt = xAt + padRows * padIn;
  ensureBytes(k.memory, (yAt + padRows * padOut) * 4);
  const heap = new Float32Array(k.memory.buffer);
  place(heap, wAt, w, outDim, inDim, padOut, padIn);
  place(heap, xAt, x, rows, inDim, padRows, padIn);
  k.gemm(xAt * 4, padRows, wAt * 4, padOut, padIn, yAt * 4);
  if (padOut === outDim) out.set(heap.subarray(yAt, yAt + rows * outDim));
  else for (let r = 0; r < rows; r++) out.set(heap.subarray(yAt + r * padOut, yAt + r * padOut + outDim), r * outDim);
  return true;
}

/** Whether the SIMD kernel runs on this platform. */
export function wasmGemmAvailable(): boolean {
  return loadKernel() !== null;
}
