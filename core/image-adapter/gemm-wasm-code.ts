/**
 * The WebAssembly SIMD kernel behind {@link linear}, assembled here byte by byte (no toolchain, no
 * binary blob in the repository). Exported `gemm(x, rows, w, outDim, inDim, y, yStride)` computes
 * y[r·yStride + o] = Σ_i x[r, i]·w[o, i] on float32 data in the imported memory, for rows % 4 == 0,
 * outDim % OUT_BLOCK == 0 and inDim % 4 == 0 (the caller pads). Loop order: for each block of weight
 * rows (kept in L1) it sweeps all input rows 4 at a time, so the weights stream from memory once;
 * each step does 4·OUT_BLOCK f32x4 multiply-adds from 4 + OUT_BLOCK loads.
 */
import { i32c, kernelModuleBytes, op, uleb, v128 } from "../wasm/assembler.js";

const { f32x4Add, f32x4Mul, f32x4ExtractLane: extractLane, zero: v128Zero } = v128;
const v128Load = v128.load;

/** Output features per block (3 or 4 spill registers and run slower); outDim must be a multiple of it (the caller pads). */
export const OUT_BLOCK = 2;
const ROW_BLOCK = 4;

// locals: params 0..6, then i32 scalars, then i32 pointers, then v128 accumulators and operands
const [X, ROWS, W, OUT_DIM, IN_DIM, Y, Y_STRIDE] = [0, 1, 2, 3, 4, 5, 6];
const [R0, O0, K, ROW_BYTES, OUT_BYTES, Y_AT] = [7, 8, 9, 10, 11, 12];
const PW = Array.from({ length: OUT_BLOCK }, (_, o) => 13 + o);
const PX = Array.from({ length: ROW_BLOCK }, (_, r) => 13 + OUT_BLOCK + r);
const I32_LOCALS = 6 + OUT_BLOCK + ROW_BLOCK;
const ACC = (r: number, o: number) => 7 + I32_LOCALS + r * OUT_BLOCK + o;
const A = 7 + I32_LOCALS + ROW_BLOCK * OUT_BLOCK;
const B = (o: number) => A + 1 + o;
const V128_LOCALS = ROW_BLOCK * OUT_BLOCK + 1 + OUT_BLOCK;

function body(): number[] {
  const get = (i: number) => [op.get, i];
  const set = (i: number) => [op.set, i];
  const code: number[] = [];
  const emit = (...parts: (number | number[])[]) => {
    for (const p of parts) typeof p === "number" ? code.push(p) : code.push(...p);
  };
  const addTo = (local: number, other: number[]) => emit(get(local), other, op.i32Add, set(local));
  emit(get(IN_DIM), i32c(2), op.i32Shl, set(ROW_BYTES));
  emit(get(Y_STRIDE), i32c(2), op.i32Shl, set(OUT_BYTES));
  emit(i32c(0), set(O0));
  emit(op.loop, 0x40); // over blocks of output features
  emit(get(W), get(O0), get(ROW_BYTES), op.i32Mul, op.i32Add, set(PW[0]));
  for (let o = 1; o < OUT_BLOCK; o++) emit(get(PW[o - 1]), get(ROW_BYTES), op.i32Add, set(PW[o]));
  emit(i32c(0), set(R0));
  emit(op.loop, 0x40); // over blocks of input rows
  emit(get(X), get(R0), get(ROW_BYTES), op.i32Mul, op.i32Add, set(PX[0]));
  for (let r = 1; r < ROW_BLOCK; r++) emit(get(PX[r - 1]), get(ROW_BYTES), op.i32Add, set(PX[r]));
  for (let r = 0; r < ROW_BLOCK; r++) for (let o = 0; o < OUT_BLOCK; o++) emit(v128Zero(), set(ACC(r, o)));
  emit(i32c(0), set(K));
  emit(op.loop, 0x40); // over the shared dimension, 4 floats a step
  for (let o = 0; o < OUT_BLOCK; o++) emit(get(PW[o]), get(K), op.i32Add, v128Load(), set(B(o)));
  for (let r = 0; r < ROW_BLOCK; r++) {
    emit(get(PX[r]), get(K), op.i32Add, v128Load(), set(A));
    for (let o = 0; o < OUT_BLOCK; o++) emit(get(ACC(r, o)), get(A), get(B(o)), f32x4Mul(), f32x4Add(), set(ACC(r, o)));
  }
  addTo(K, i32c(16));
  emit(get(K), get(ROW_BYTES), op.i32LtU, op.brIf, 0, op.end);
  emit(get(Y), get(R0), get(Y_STRIDE), op.i32Mul, get(O0), op.i32Add, i32c(2), op.i32Shl, op.i32Add, set(Y_AT));
  for (let r = 0; r < ROW_BLOCK; r++) {
    for (let o = 0; o < OUT_BLOCK; o++) {
      const acc = ACC(r, o);
      emit(
        get(Y_AT),
        get(acc),
        extractLane(0),
        get(acc),
        extractLane(1),
        op.f32Add,
        get(acc),
        extractLane(2),
        get(acc),
        extractLane(3),
        op.f32Add,
        op.f32Add,
      );
      emit(op.f32Store, 2, ...uleb(o * 4));
    }
    addTo(Y_AT, get(OUT_BYTES));
  }
  addTo(R0, i32c(ROW_BLOCK));
  emit(get(R0), get(ROWS), op.i32LtU, op.brIf, 0, op.end);
  addTo(O0, i32c(OUT_BLOCK));
  emit(get(O0), get(OUT_DIM), op.i32LtU, op.brIf, 0, op.end);
  return code;
}

/**
 * The module's bytes: imports `env.memory` (shared, up to `maxPages`, when `shared` so worker threads
 * can run the same kernel on the same data), exports `gemm`.
 */
export function gemmModuleBytes(shared = false, maxPages = 0): Uint8Array {
  return kernelModuleBytes({
    exportName: "gemm",
    params: 7,
    i32Locals: I32_LOCALS,
    v128Locals: V128_LOCALS,
    body: body(),
    shared,
    maxPages,
  });
}
