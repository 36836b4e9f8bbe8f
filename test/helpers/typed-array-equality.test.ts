import { describe, expect, it } from "vitest";
import { typedArrayEquality } from "./typed-array-equality.js";

describe("typedArrayEquality (the suite-wide fast toEqual for typed arrays)", () => {
  it("decides as toEqual's element walk does: Object.is per element, same constructor and length", () => {
    expect(typedArrayEquality(Float32Array.of(1, Number.NaN), Float32Array.of(1, Number.NaN))).toBe(true);
    expect(typedArrayEquality(Float32Array.of(0), Float32Array.of(-0))).toBe(false);
    expect(typedArrayEquality(Float32Array.of(1, 2), Float32Array.of(1, 2, 3))).toBe(false);
    expect(typedArrayEquality(Float32Array.of(1, 2), Float32Array.of(1, 3))).toBe(false);
    expect(typedArrayEquality(BigInt64Array.of(5n), BigInt64Array.of(5n))).toBe(true);
    expect(typedArrayEquality(Buffer.from([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(typedArrayEquality(new Uint8Array(4).subarray(1), new Uint8Array(3))).toBe(true);
  });

  it("leaves other values, and arrays of different types, to the default matchers", () => {
    expect(typedArrayEquality([1], [1])).toBeUndefined();
    expect(typedArrayEquality(Float32Array.of(1), Float64Array.of(1))).toBeUndefined();
    expect(typedArrayEquality(new DataView(new ArrayBuffer(1)), new DataView(new ArrayBuffer(1)))).toBeUndefined();
  });

  it("is what toEqual uses: a 300 000-element comparison, nested in an object, passes and fails as before", () => {
    const a = Float32Array.from({ length: 300_000 }, (_, i) => Math.sin(i));
    expect({ data: a, shape: [300, 1000] }).toEqual({ data: Float32Array.from(a), shape: [300, 1000] });
    const b = Float32Array.from(a);
    b[299_999] += 1;
    expect({ data: a }).not.toEqual({ data: b });
    expect(Float32Array.of(1)).not.toEqual(Float64Array.of(1));
  });
});
