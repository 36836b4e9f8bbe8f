import { describe, expect, it } from "vitest";
import { maskSize, maskTensor, resizeMaskBilinear } from "../../../core/masks/mask-tensor.js";
import { tensor } from "../../../core/tensor/tensor.js";

describe("resizeMaskBilinear", () => {
  it("halves a mask by averaging pixel pairs (align_corners false)", () => {
    const mask = tensor([1, 1, 2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...resizeMaskBilinear(mask, 1, 2)]).toEqual([(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4]);
  });

  it("doubles a mask with half-pixel centres and clamped borders", () => {
    const mask = tensor([1, 2], [0, 4]);
    expect([...resizeMaskBilinear(mask, 1, 4)]).toEqual([0, 1, 3, 4]);
  });

  it("keeps a left-half mask's edge soft where the residual grid straddles it", () => {
    const left = tensor(
      [8, 8],
      Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 1 : 0)),
    );
    const out = resizeMaskBilinear(left, 3, 3);
    expect([...out.subarray(0, 3)].map((v) => Number(v.toFixed(4)))).toEqual([1, 0.5, 0]);
  });

  it("refuses a mask with several channels", () => {
    expect(() => maskSize(tensor([1, 2, 4, 4]))).toThrow(/must be \[H, W\], \[1, H, W\] or \[1, 1, H, W\] but has shape \[1, 2, 4, 4\]/);
  });
});

describe("maskTensor", () => {
  it("views faceRegionMask's RegionMask as [1, 1, H, W] without copying", () => {
    const data = new Float32Array(6);
    const t = maskTensor({ width: 3, height: 2, data });
    expect(t.shape).toEqual([1, 1, 2, 3]);
    expect(t.data).toBe(data);
  });
});
