import { floatToHalf, halfToFloat } from "../tensor/dtype.js";

let table: Float32Array | undefined;

/** Every half-precision bit pattern's float32 value (256 KB, built on first use): one lookup per element. */
function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = halfToFloat(bits);
  }
  return table;
}

/** float16 bit patterns → float32 values (exact: every half is a float). */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const lookup = halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = lookup[bits[i]];
  return out;
}

/** float32 values → float16 bit patterns, rounded to nearest even as PyTorch's `.half()` and ONNX's Cast do. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
  return out;
}
