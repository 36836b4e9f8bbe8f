import { describe, expect, it } from "vitest";
import { decodeToFloat32, floatToHalf, halfToFloat } from "../../../core/tensor/dtype.js";

describe("dtype conversion", () => {
  it("converts half-precision bit patterns both ways, rounding to nearest even", () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the smallest float16 subnormal, written as Python prints it
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) expect(halfToFloat(floatToHalf(v))).toBe(v);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(floatToHalf(1e6)).toBe(0x7c00); // overflow to infinity
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
  });

  it("widens bfloat16 by placing its bits in the float32's high half", () => {
    const bytes = new Uint8Array([0x80, 0x3f, 0x00, 0xc0]); // 1.0, -2.0
    expect(Array.from(decodeToFloat32(bytes, "BF16"))).toEqual([1, -2]);
  });
});
