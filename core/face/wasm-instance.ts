/** The slice of the WebAssembly JS API the kernels use (the project's type libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Whether the JavaScript kernels are asked for (INSTANTID_SIMD=0, which benchmarks and tests use to compare). */
export const javaScriptKernelAsked = () => process.env.INSTANTID_SIMD === "0";

/** 64 KiB, WebAssembly's page. */
const PAGE = 65536;
/** The memory's maximum in the kernels' .wat files (1 GiB); a letterbox needs a few MB. */
const MAX_PAGES = 16384;

/** Compiled modules by their base64 bytes, each compiled once per process; null where WebAssembly SIMD is missing. */
const compiled = new Map<string, object | null>();

function compile(api: WasmApi, base64: string): object | null {
  if (!compiled.has(base64)) {
    try {
      compiled.set(base64, new api.Module(Buffer.from(base64, "base64")));
    } catch {
      compiled.set(base64, null); // a platform without WebAssembly SIMD refuses to compile the module
    }
  }
  return compiled.get(base64) ?? null;
}

/**
 * One instance of a compiled kernel, on its own memory. It runs on the calling thread: nothing waits on another
 * one. Each instance owns its memory, so what one wrote stays put while another runs.
 */
export class WasmInstance {
  private constructor(
    private readonly memory: WasmMemory,
    readonly exports: Readonly<Record<string, unknown>>,
  ) {}

  /** A new instance of the module in `base64`, or null where WebAssembly SIMD is missing. */
  static load(base64: string): WasmInstance | null {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    const module = api && compile(api, base64);
    if (!module) return null;
    const { exports } = new api.Instance(module, {});
    return new WasmInstance(exports.memory as WasmMemory, exports);
  }

  /** The memory, grown to at least `bytes`; undefined when that exceeds the kernels' maximum. Valid until the next call. */
  heap(bytes: number): ArrayBuffer | undefined {
    const pages = Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE);
    if (pages > 0) {
      if (this.memory.buffer.byteLength / PAGE + pages > MAX_PAGES) return undefined;
      this.memory.grow(pages);
    }
    return this.memory.buffer;
  }
}
