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
 * Converts one tensor's little-endian bytes from the checkpoint's `from` type to `to`, into `out` (its byte
 * length is the output size). Same type: the bytes are copied; widening is exact; fp32/bf16 → fp16 rounds
 * to nearest even.
 */
export function convertTensorBytes(bytes: Uint8Array, from: DType, to: WeightDType, out: Uint8Array): void {
  if (sameType(from, to)) {
    out.set(bytes);
    return;
  }
  const count = out.byteLength / (to === "fp16" ? 2 : 4);
  const src = widened(aligned(bytes), from, count);
  if (to === "fp16") new Uint16Array(out.buffer, out.byteOffset, count).set(floatsToHalves(src));
  else new Float32Array(out.buffer, out.byteOffset, count).set(src);
}

/** True when the checkpoint's bytes are already the output's element type. */
export function sameType(from: DType, to: WeightDType): boolean {
  return (from === "F16" && to === "fp16") || (from === "F32" && to === "fp32");
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

/** float32 values to IEEE half bit patterns, rounding to nearest even (as `floatToHalf`, over a whole array). */
export function floatsToHalves(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    const mantissa = x & 0x7fffff;
    const e = exponent - 112;
    if (exponent === 0xff) out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
    else if (e >= 0x1f) out[i] = sign | 0x7c00;
    else if (e > 0) {
      const half = (e << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      out[i] = sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
    } else if (e >= -10) {
      const full = mantissa | 0x800000;
      const shift = 14 - e;
      const half = full >>> shift;
      const rest = full & ((1 << shift) - 1);
      const midpoint = 1 << (shift - 1);
      out[i] = sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
    } else out[i] = sign;
  }
  return out;
}
