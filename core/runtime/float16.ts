import { floatToHalf, halvesToFloat32 } from "../tensor/dtype.js";

/** float16 bit patterns → float32 values (exact: every half is a float). */
export const float16ToFloat32 = halvesToFloat32;

/** float32 values → float16 bit patterns, rounded to nearest even as PyTorch's `.half()` and ONNX's Cast do. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
  return out;
}
