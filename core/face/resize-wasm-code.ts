/**
 * The WebAssembly SIMD kernel behind {@link resizeLinearToPlanes}: OpenCV's fixed-point INTER_LINEAR
 * on RGB bytes, one output pixel (three channels) per step, written as normalised float planes.
 *
 * Exported `resize(src, xOffsets, xWeights, yTable, width, height, out, planeBytes, table, rowBytes)`, all byte
 * addresses in the imported memory:
 * - `src`: the source rows the y table refers to (with 8 readable bytes past the last pixel);
 * - `xOffsets`: i32 per output column, the byte offset of its left source pixel in a row;
 * - `xWeights`: i16x8 per output column, [w0, w1, w0, w1, w0, w1, 0, 0] (the right pixel is the next one, or weighs 0);
 * - `yTable`: 4 × i32 per output row: byte offsets (from `src`) of its two source rows, and their weights;
 * - `out`: three planes, `planeBytes` apart, in R, G, B order, each of `height` rows `rowBytes` apart,
 *   of which the first `width` floats are written;
 * - `table`: with a `table` kernel, 256 floats, the normalised value of each byte; with an `affine`
 *   one, two floats (mean, scale) and each value is written as (v − mean) · scale, in float32.
 *
 * Per pixel: one 8-byte load per source row holds both taps of all three channels; a shuffle pairs
 * them as i16 and a dot product with the weights gives OpenCV's three horizontal sums at once. The
 * vertical blend is OpenCV's: (S >> 4) · β >> 16 per row, summed, + 2 >> 2, saturated.
 */
import { Code, i32c, kernelModuleBytes, memarg, op, v128 } from "../wasm/assembler.js";

const [SRC, X_OFFSETS, X_WEIGHTS, Y_TABLE, WIDTH, HEIGHT, OUT, PLANE_BYTES, TABLE, ROW_BYTES] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [Y_AT, Y_END, ROW0, ROW1, OUT0, OUT1, OUT2, X4, X_END, OFFSET] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const I32_LOCALS = 10;
const [BETA0, BETA1, WEIGHTS, VALUE, MEAN, SCALE] = [20, 21, 22, 23, 24, 25];
const V128_LOCALS = 6;

/** How byte values become floats: looked up in a 256-entry table, or computed as (v − mean) · scale. */
export type Normalisation = "table" | "affine";

/** Byte lanes turning [R0 G0 B0 R1 G1 B1 ..] into i16 pairs [R0 R1 G0 G1 B0 B1 0 0] (16+ reads the zero vector). */
const PAIR_TAPS = [0, 16, 3, 16, 1, 16, 4, 16, 2, 16, 5, 16, 16, 16, 16, 16];

const get = (local: number) => [op.get, local];
const set = (local: number) => [op.set, local];

/** One source row's contribution to the pixel: ((taps · weights) >> 4) · β >> 16. */
function rowTerm(row: number, beta: number): number[] {
  return [
    ...get(row),
    ...get(OFFSET),
    op.i32Add,
    ...v128.load64Zero(),
    ...v128.zero(),
    ...v128.shuffle(PAIR_TAPS),
    ...get(WEIGHTS),
    ...v128.i32x4DotI16x8S(),
    ...i32c(4),
    ...v128.i32x4ShrS(),
    ...get(beta),
    ...v128.i32x4Mul(),
    ...i32c(16),
    ...v128.i32x4ShrS(),
  ];
}

/** out[plane] = table[value lane] for one channel (VALUE holds byte offsets into the table). */
function storeLookedUp(planeRow: number, lane: number): number[] {
  return [
    ...get(planeRow),
    ...get(X4),
    op.i32Add,
    ...get(TABLE),
    ...get(VALUE),
    ...v128.i32x4ExtractLane(lane),
    op.i32Add,
    op.f32Load,
    ...memarg(2),
    op.f32Store,
    ...memarg(2),
  ];
}

/** out[plane] = value lane for one channel (VALUE holds the normalised floats). */
function storeComputed(planeRow: number, lane: number): number[] {
  return [...get(planeRow), ...get(X4), op.i32Add, ...get(VALUE), ...v128.store32Lane(lane)];
}

/** The pixel's three bytes (i32 lanes) → what is stored, in VALUE. */
function normalise(mode: Normalisation): number[] {
  if (mode === "table") return [...i32c(2), ...v128.i32x4Shl(), ...set(VALUE)];
  return [...v128.f32x4ConvertI32x4S(), ...get(MEAN), ...v128.f32x4Sub(), ...get(SCALE), ...v128.f32x4Mul(), ...set(VALUE)];
}

function body(mode: Normalisation): number[] {
  const code = new Code();
  if (mode === "affine") code.emit(get(TABLE), v128.load32Splat(0), set(MEAN), get(TABLE), v128.load32Splat(4), set(SCALE));
  code.emit(get(Y_TABLE), set(Y_AT), get(Y_TABLE), get(HEIGHT), i32c(4), op.i32Shl, op.i32Add, set(Y_END));
  code.emit(get(WIDTH), i32c(2), op.i32Shl, set(X_END), get(OUT), set(OUT0));
  code.emit(op.loop, 0x40); // rows
  code.emit(get(SRC), get(Y_AT), op.i32Load, memarg(2, 0), op.i32Add, set(ROW0));
  code.emit(get(SRC), get(Y_AT), op.i32Load, memarg(2, 4), op.i32Add, set(ROW1));
  code.emit(get(Y_AT), op.i32Load, memarg(2, 8), v128.i32x4Splat(), set(BETA0));
  code.emit(get(Y_AT), op.i32Load, memarg(2, 12), v128.i32x4Splat(), set(BETA1));
  code.emit(get(OUT0), get(PLANE_BYTES), op.i32Add, set(OUT1), get(OUT1), get(PLANE_BYTES), op.i32Add, set(OUT2));
  code.emit(i32c(0), set(X4));
  code.emit(op.loop, 0x40); // pixels of the row
  code.emit(get(X_OFFSETS), get(X4), op.i32Add, op.i32Load, memarg(2), set(OFFSET));
  code.emit(get(X_WEIGHTS), get(X4), i32c(2), op.i32Shl, op.i32Add, v128.load(), set(WEIGHTS));
  code.emit(rowTerm(ROW0, BETA0), rowTerm(ROW1, BETA1), v128.i32x4Add());
  code.emit(v128.i32x4Const(2), v128.i32x4Add(), i32c(2), v128.i32x4ShrS(), v128.i32x4Const(255), v128.i32x4MinS());
  code.emit(normalise(mode));
  const store = mode === "table" ? storeLookedUp : storeComputed;
  code.emit(store(OUT0, 0), store(OUT1, 1), store(OUT2, 2));
  code.addTo(X4, i32c(4));
  code.emit(get(X4), get(X_END), op.i32LtU, op.brIf, 0, op.end);
  code.addTo(OUT0, get(ROW_BYTES));
  code.addTo(Y_AT, i32c(16));
  code.emit(get(Y_AT), get(Y_END), op.i32LtU, op.brIf, 0, op.end);
  return code.bytes;
}

/**
 * The module's bytes: imports `env.memory` (shared, up to `maxPages`, when `shared` so a helper
 * thread can resize half the rows), exports `resize`.
 */
export function resizeModuleBytes(mode: Normalisation, shared = false, maxPages = 0): Uint8Array {
  return kernelModuleBytes({
    exportName: "resize",
    params: 10,
    i32Locals: I32_LOCALS,
    v128Locals: V128_LOCALS,
    body: body(mode),
    shared,
    maxPages,
  });
}
