import { describe, expect, it } from "vitest";
import { erf, geluInPlace, layerNorm, softmaxRowsInPlace } from "../../../core/image-adapter/ops.js";

describe("erf and GELU", () => {
  it.each([
    [0, 0],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [-2, -0.9953222650189527],
    [3.5, 0.9999992569016276],
  ])("erf(%f) is within 2e-7 of %f", (x, expected) => {
    expect(Math.abs(erf(x) - expected)).toBeLessThan(2e-7);
  });

  it("computes the exact GELU x·Φ(x), not the tanh approximation", () => {
    const out = geluInPlace(Float32Array.of(1, -1, 3));
    expect(out[0]).toBeCloseTo(0.8413447460685429, 6);
    expect(out[1]).toBeCloseTo(-0.15865525393145707, 6);
    expect(out[2]).toBeCloseTo(2.9959502, 6);
  });
});

describe("layerNorm", () => {
  it("normalises each row with PyTorch's eps and applies weight and bias", () => {
    const out = layerNorm(Float32Array.of(1, 2, 3, 10, 10, 10), 2, Float32Array.of(1, 2, 1), Float32Array.of(0, 0, 1));
    const inv = 1 / Math.sqrt(2 / 3 + 1e-5);
    expect(out[0]).toBeCloseTo(-inv, 5);
    expect(out[1]).toBeCloseTo(0, 6);
    expect(out[2]).toBeCloseTo(inv + 1, 5);
    expect([...out.subarray(3)]).toEqual([0, 0, 1]);
  });
});

describe("softmaxRowsInPlace", () => {
  it("stays finite for large logits", () => {
    const out = softmaxRowsInPlace(Float32Array.of(1000, 1000, 0, 0), 2, 2);
    expect([...out]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});
