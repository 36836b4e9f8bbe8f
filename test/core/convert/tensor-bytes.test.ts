import { describe, expect, it } from "vitest";
import { convertTensorBytes, floatsToHalves } from "../../../core/convert/tensor-bytes.js";
import { floatToHalf, halfToFloat } from "../../../core/tensor/dtype.js";

const bytesOf = (a: Float32Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe("converting one tensor's bytes", () => {
  it("rounds float32 to half exactly as floatToHalf does, over normals, subnormals, ties, overflow, zeros, infinities and NaN", () => {
    const specials = [
      0,
      -0,
      1,
      -1,
      65504,
      65520,
      1e6,
      -1e6,
      2 ** -14,
      2 ** -24,
      2 ** -25,
      3 * 2 ** -26,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      5.96e-8,
      Infinity,
      -Infinity,
      NaN,
    ];
    const random = Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 14) - 9));
    const values = Float32Array.from([...specials, ...random]);
    expect([...floatsToHalves(values)]).toEqual([...values].map(floatToHalf));
  });

  it("widens every half bit pattern to the float32 halfToFloat gives", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const out = new Uint8Array(4 * 65536);
    convertTensorBytes(bytesOf(all), "F16", "fp32", out);
    const widened = new Float32Array(out.buffer);
    for (let h = 0; h < 65536; h++)
      expect(Object.is(widened[h], Math.fround(halfToFloat(h))) || (Number.isNaN(widened[h]) && Number.isNaN(halfToFloat(h)))).toBe(true);
  });

  it("copies same-type bytes, narrows fp32 and bf16 to fp16, and widens bf16 exactly", () => {
    const values = Float32Array.of(1, -2.5, 3.140625, 65504, 1e-7, 0);
    const same = new Uint8Array(24);
    convertTensorBytes(bytesOf(values), "F32", "fp32", same);
    expect(new Float32Array(same.buffer)).toEqual(values);
    const half = new Uint8Array(12);
    convertTensorBytes(bytesOf(values), "F32", "fp16", half);
    expect([...new Uint16Array(half.buffer)]).toEqual([...values].map(floatToHalf));
    const bf16 = Uint16Array.from(new Uint32Array(values.buffer.slice(0)), (bits) => bits >>> 16);
    convertTensorBytes(bytesOf(bf16), "BF16", "fp32", same);
    expect([...new Float32Array(same.buffer)]).toEqual([...bf16].map((b) => new Float32Array(Uint32Array.of(b << 16).buffer)[0]));
    convertTensorBytes(bytesOf(bf16), "BF16", "fp16", half);
    expect([...new Uint16Array(half.buffer)]).toEqual(
      [...bf16].map((b) => floatToHalf(new Float32Array(Uint32Array.of(b << 16).buffer)[0])),
    );
  });
});
