import { RESIZE_KERNEL_WASM } from "./resize-kernel-bytes.js";

/** The slice of the WebAssembly JS API the kernel uses (the project's type libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** One export of resize-kernel.wat; all addresses are bytes in the kernel's memory (see the .wat). */
export type ResizeExport = (
  src: number,
  xOffsets: number,
  xWeights: number,
  yTable: number,
  width: number,
  height: number,
  out: number,
  planeBytes: number,
  table: number,
  rowBytes: number,
) => void;

/** How byte values become floats: looked up in a 256-entry table, or computed as (v − mean) · scale. */
export type Normalisation = "table" | "affine";

/** 64 KiB, WebAssembly's page. */
const PAGE = 65536;
/** The memory's maximum in resize-kernel.wat (1 GiB); a letterbox needs a few MB. */
const MAX_PAGES = 16384;

let compiled: object | null | undefined;

/** The module, compiled once per process; null where WebAssembly SIMD is missing. */
function compile(api: WasmApi): object | null {
  if (compiled === undefined) {
    try {
      compiled = new api.Module(Buffer.from(RESIZE_KERNEL_WASM, "base64"));
    } catch {
      compiled = null; // a platform without WebAssembly SIMD refuses to compile the module
    }
  }
  return compiled;
}

/**
 * One instance of the resize kernel, on its own memory. It runs on the calling thread: nothing waits on another
 * one. Each instance owns its memory, so what one kernel wrote stays put while another runs.
 */
export class ResizeKernel {
  private constructor(
    private readonly memory: WasmMemory,
    readonly resize: Readonly<Record<Normalisation, ResizeExport>>,
  ) {}

  /** A new instance of the kernel, or null where WebAssembly SIMD is missing (the caller then resizes in JavaScript). */
  static load(): ResizeKernel | null {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    const module = api && compile(api);
    if (!module) return null;
    const { exports } = new api.Instance(module, {});
    const resize = { table: exports.resize_table as ResizeExport, affine: exports.resize_affine as ResizeExport };
    return new ResizeKernel(exports.memory as WasmMemory, resize);
  }

  /** The memory, grown to at least `bytes`; undefined when that exceeds the kernel's maximum. Valid until the next call. */
  heap(bytes: number): ArrayBuffer | undefined {
    const pages = Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE);
    if (pages > 0) {
      if (this.memory.buffer.byteLength / PAGE + pages > MAX_PAGES) return undefined;
      this.memory.grow(pages);
    }
    return this.memory.buffer;
  }
}
