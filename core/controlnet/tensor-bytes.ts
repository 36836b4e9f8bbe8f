import { floatToHalf } from "../tensor/dtype.js";
import type { DType } from "../tensor/dtype.js";
import type { WeightDType } from "./checkpoint-weights.js";

/** Checkpoint element types the converter reads. */
export const READABLE_DTYPES: readonly DType[] = ["F16", "F32", "BF16"];

// Every half-precision bit pattern's float32 value: one lookup per element instead of bit arithmetic.
let halfTable: Float32Array | undefined;
function halves(): Float32Array {
  if (halfTable) return halfTable;
  const bits = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) bits[h] = halfBitsToFloatBits(h);
  halfTable = new Float32Array(bits.buffer);
  return halfTable;
}

function halfBitsToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return sign | 0x7f800000 | (mantissa << 13);
  if (exponent !== 0) return sign | ((exponent + 112) << 23) | (mantissa << 13);
  if (mantissa === 0) return sign;
  // Subnormal half: normalise into a float32 exponent.
  let e = 113;
  while (!(mantissa & 0x400)) {
    mantissa <<= 1;
    e--;
  }
  return sign | (e << 23) | ((mantissa & 0x3ff) << 13);
}

/**
 * Converts one tensor's little-endian bytes from the checkpoint's `from` type to `to`, transposing a 2-D
 * [rows, cols] tensor to [cols, rows] when asked, into `out` (its byte length is the output size).
 * fp16 → fp16 and fp32 → fp32 copy bits; widening is exact; fp32/bf16 → fp16 rounds to nearest even.
 */
export function convertTensorBytes(bytes: Uint8Array, from: DType, to: WeightDType, shape: readonly number[], transpose: boolean, out: Uint8Array): void {
  const count = shape.reduce((a, b) => a * b, 1);
  const rows = transpose ? shape[0] : 1;
  const cols = transpose ? shape[1] : count;
  bytes = aligned(bytes);
  if (to === "fp16") {
    const dst = new Uint16Array(out.buffer, out.byteOffset, count);
    const src = from === "F16" ? new Uint16Array(bytes.buffer, bytes.byteOffset, count) : widened(bytes, from, count);
    if (src instanceof Uint16Array) permute(src, dst, rows, cols, transpose);
    else {
      const narrowed = new Uint16Array(count);
      for (let i = 0; i < count; i++) narrowed[i] = floatToHalf(src[i]);
      permute(narrowed, dst, rows, cols, transpose);
    }
    return;
  }
  const dst = new Float32Array(out.buffer, out.byteOffset, count);
  permute(widened(bytes, from, count), dst, rows, cols, transpose);
}

// Typed-array views need their element alignment; a misaligned read buffer is copied once.
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
}

function widened(bytes: Uint8Array, from: DType, count: number): Float32Array {
  if (from === "F32") return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  const src = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Float32Array(count);
  if (from === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = src[i] << 16;
    return out;
  }
  const table = halves();
  for (let i = 0; i < count; i++) out[i] = table[src[i]];
  return out;
}

function permute<T extends Uint16Array | Float32Array>(src: T, dst: T, rows: number, cols: number, transpose: boolean): void {
  if (!transpose) {
    dst.set(src);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[base + c];
  }
}
