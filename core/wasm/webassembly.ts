/** The slice of the WebAssembly JS API the kernels use (the project's type libraries do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The constructors the kernels need. */
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** WebAssembly, where the platform has it. */
export const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** 64 KiB, WebAssembly's page. */
export const WASM_PAGE = 65536;

/** Grows `memory` to at least `bytes` (up to `maxPages`); false when that would exceed it. */
export function growMemory(memory: WasmMemory, bytes: number, maxPages: number): boolean {
  const pages = Math.ceil((bytes - memory.buffer.byteLength) / WASM_PAGE);
  if (pages <= 0) return true;
  if (memory.buffer.byteLength / WASM_PAGE + pages > maxPages) return false;
  memory.grow(pages);
  return true;
}
