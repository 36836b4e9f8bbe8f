/**
 * Just enough of the WebAssembly binary format to write the SDK's SIMD kernels by hand: no
 * toolchain, no binary blob in the repository. A kernel is one exported function over an imported
 * memory, built from these opcodes.
 */

/** Scalar opcodes (memory ones take `memarg(align, offset)`). */
export const op = {
  end: 0x0b,
  loop: 0x03,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  f32Add: 0x92,
} as const;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

/** Signed LEB128, the encoding of i32.const immediates (64 needs two bytes: one byte 0x40 means -64). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** `i32.const value`. */
export const i32c = (value: number): number[] => [op.i32Const, ...sleb(value)];

/** A memory immediate: log2 of the alignment, then the static offset. */
export const memarg = (alignLog2: number, offset = 0): number[] => [alignLog2, ...uleb(offset)];

/** A SIMD (0xfd-prefixed) instruction with its immediates. */
export const simd = (code: number, ...immediates: number[]): number[] => [0xfd, ...uleb(code), ...immediates];

/** SIMD opcodes used by the kernels, as functions returning their bytes. */
export const v128 = {
  load: (offset = 0) => simd(0, ...memarg(4, offset)),
  load64Zero: (offset = 0) => simd(93, ...memarg(0, offset)),
  load32Splat: (offset = 0) => simd(9, ...memarg(2, offset)),
  store32Lane: (lane: number, offset = 0) => simd(90, ...memarg(2, offset), lane),
  zero: () => simd(12, ...new Array(16).fill(0)),
  shuffle: (lanes: readonly number[]) => simd(13, ...lanes),
  i32x4Splat: () => simd(17),
  i32x4ExtractLane: (lane: number) => simd(27, lane),
  f32x4ExtractLane: (lane: number) => simd(31, lane),
  i32x4Const: (value: number) => [...i32c(value), ...simd(17)],
  i32x4Shl: () => simd(171),
  i32x4ShrS: () => simd(172),
  i32x4Add: () => simd(174),
  i32x4Mul: () => simd(181),
  i32x4MinS: () => simd(182),
  i32x4DotI16x8S: () => simd(186),
  f32x4ConvertI32x4S: () => simd(250),
  f32x4Add: () => simd(228),
  f32x4Sub: () => simd(229),
  f32x4Mul: () => simd(230),
} as const;

/** Instruction bytes from a list of opcodes and byte groups. */
export class Code {
  readonly bytes: number[] = [];

  emit(...parts: (number | readonly number[])[]): this {
    for (const p of parts) typeof p === "number" ? this.bytes.push(p) : this.bytes.push(...p);
    return this;
  }

  /** local += other (an expression's bytes). */
  addTo(local: number, other: readonly number[]): this {
    return this.emit(op.get, local, other, op.i32Add, op.set, local);
  }
}

const I32 = 0x7f;
const V128 = 0x7b;

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

const name = (text: string) => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

/** One exported function of i32 parameters over the imported memory `env.memory`. */
export interface KernelModule {
  readonly exportName: string;
  readonly params: number;
  /** Extra i32 locals (numbered after the parameters), then v128 locals (after those). */
  readonly i32Locals: number;
  readonly v128Locals: number;
  /** The function body, without its final `end`. */
  readonly body: readonly number[];
  /** Import the memory as shared (worker threads run the same kernel on it), up to `maxPages`. */
  readonly shared?: boolean;
  readonly maxPages?: number;
}

/** The module's bytes. */
export function kernelModuleBytes(kernel: KernelModule): Uint8Array {
  const locals = [2, ...uleb(kernel.i32Locals), I32, ...uleb(kernel.v128Locals), V128];
  const fn = [...locals, ...kernel.body, op.end];
  const memory = kernel.shared ? [0x03, 1, ...uleb(kernel.maxPages ?? 0)] : [0x00, 1];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, kernel.params, ...new Array(kernel.params).fill(I32), 0]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, ...memory]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(kernel.exportName), 0x00, 0]),
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ]);
}
