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

/** The compiled resize kernel on its own memory. It runs on the calling thread: nothing waits on another one. */
export class ResizeKernel {
  private constructor(
    private readonly memory: WasmMemory,
    readonly resize: Readonly<Record<Normalisation, ResizeExport>>,
  ) {}

  /** The kernel, or null where WebAssembly SIMD is missing (the caller then resizes in JavaScript). */
  static load(): ResizeKernel | null {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api) return null;
    try {
      const { exports } = new api.Instance(new api.Module(Buffer.from(RESIZE_KERNEL_WASM, "base64")), {});
      const resize = { table: exports.resize_table as ResizeExport, affine: exports.resize_affine as ResizeExport };
      return new ResizeKernel(exports.memory as WasmMemory, resize);
    } catch {
      return null; // a platform without WebAssembly SIMD refuses to compile the module
    }
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
