import { RESIZE_KERNEL_WASM } from "./resize-kernel-bytes.js";
import { WasmInstance } from "./wasm-instance.js";

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

/** One instance of the resize kernel (resize-kernel.wat), on its own memory. */
export class ResizeKernel {
  private constructor(
    private readonly instance: WasmInstance,
    readonly resize: Readonly<Record<Normalisation, ResizeExport>>,
  ) {}

  /** A new instance of the kernel, or null where WebAssembly SIMD is missing (the caller then resizes in JavaScript). */
  static load(): ResizeKernel | null {
    const instance = WasmInstance.load(RESIZE_KERNEL_WASM);
    if (!instance) return null;
    const { exports } = instance;
    return new ResizeKernel(instance, { table: exports.resize_table as ResizeExport, affine: exports.resize_affine as ResizeExport });
  }

  /** The memory, grown to at least `bytes`; undefined when that exceeds the kernel's maximum. Valid until the next call. */
  heap(bytes: number): ArrayBuffer | undefined {
    return this.instance.heap(bytes);
  }
}
