import type { DType } from "../tensor/dtype.js";
import type { WeightDType } from "./checkpoint-weights.js";

/** Checkpoint element types the converter reads. */
export const READABLE_DTYPES: readonly DType[] = ["F16", "F32", "BF16"];

// Every half-precision bit pattern's float32 bit pattern: one lookup per element, NaN payloads kept bit for bit.
let halfTable: Uint32Array | undefined;
function halves(): Uint32Array {
  if (halfTable) return halfTable;
  halfTable = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloatBits(h);
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
 * to nearest even. Element by element into `out`, with no array allocated per tensor: at SDXL size a fresh
 * array per tensor costs more in page faults than the conversion itself.
 */
export function convertTensorBytes(bytes: Uint8Array, from: DType, to: WeightDType, out: Uint8Array): void {
  if (sameType(from, to)) {
    out.set(bytes);
    return;
  }
  const count = out.byteLength / (to === "fp16" ? 2 : 4);
  const src = aligned(bytes);
  if (from === "F32") {
    halvesInto(new Uint32Array(src.buffer, src.byteOffset, count), new Uint16Array(out.buffer, out.byteOffset, count));
    return;
  }
  const halves16 = new Uint16Array(src.buffer, src.byteOffset, count);
  if (to === "fp32" && from === "F16") widenHalvesInto(halves16, new Uint32Array(out.buffer, out.byteOffset, count));
  else if (to === "fp32") bfloatsInto(halves16, new Uint32Array(out.buffer, out.byteOffset, count));
  else {
    const target = new Uint16Array(out.buffer, out.byteOffset, count);
    for (let i = 0; i < count; i++) target[i] = floatBitsToHalf(halves16[i] << 16);
  }
}

/** True when the checkpoint's bytes are already the output's element type. */
export function sameType(from: DType, to: WeightDType): boolean {
  return (from === "F16" && to === "fp16") || (from === "F32" && to === "fp32");
}

// Typed-array views need their element alignment; a misaligned read buffer is copied once.
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
}

function widenHalvesInto(src: Uint16Array, out: Uint32Array): void {
  const table = halves();
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
}

function bfloatsInto(src: Uint16Array, out: Uint32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
}

/** float32 values to IEEE half bit patterns, rounding to nearest even (as `floatToHalf`, over a whole array). */
export function floatsToHalves(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  halvesInto(new Uint32Array(values.buffer, values.byteOffset, values.length), out);
  return out;
}

function halvesInto(bits: Uint32Array, out: Uint16Array): void {
  for (let i = 0; i < bits.length; i++) out[i] = floatBitsToHalf(bits[i]);
}

/** One float32 bit pattern to the nearest half bit pattern (ties to even); NaN stays a quiet NaN. */
function floatBitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  const e = exponent - 112;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (e >= 0x1f) return sign | 0x7c00;
  if (e > 0) {
    const half = (e << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
  }
  if (e < -10) return sign;
  const full = mantissa | 0x800000;
  const shift = 14 - e;
  const half = full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const midpoint = 1 << (shift - 1);
  return sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
}
