import { describe, expect, it } from "vitest";
import { maskBounds, regionMask } from "../../../core/compose/region-mask.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { InstantIdError } from "../../../core/errors.js";

const sum = (m: { data: Float32Array }) => m.data.reduce((n, v) => n + v, 0);
const kps: FiveKeypoints = [
  [40, 50],
  [60, 50],
  [50, 60],
  [42, 70],
  [58, 70],
];

describe("regionMask", () => {
  it("a rect is 1 inside [x1, x2) x [y1, y2) and 0 outside", () => {
    const m = regionMask({ rect: [2, 1, 5, 3] }, 8, 4, undefined, "a");
    expect(sum(m)).toBe(6);
    expect(maskBounds(m)).toEqual([2, 1, 5, 3]);
  });

  it("canvas covers every pixel", () => {
    expect(sum(regionMask({ canvas: true }, 5, 3, undefined, "a"))).toBe(15);
  });

  it("a mask image is read from its red channel / 255", () => {
    const data = new Uint8Array(2 * 1 * 3);
    data.set([255, 0, 0, 51, 255, 255]);
    const m = regionMask({ mask: { width: 2, height: 1, data } }, 2, 1, undefined, "a");
    expect(Array.from(m.data)).toEqual([1, Math.fround(0.2)]);
  });

  it("a tensor mask at the canvas size is used as given (copied), one at another size resized bilinearly", () => {
    const tensor = { shape: [1, 1, 2, 2], data: new Float32Array([0, 1, 0, 1]) };
    const same = regionMask({ mask: tensor }, 2, 2, undefined, "a");
    expect(Array.from(same.data)).toEqual([0, 1, 0, 1]);
    expect(same.data).not.toBe(tensor.data);
    const up = regionMask({ mask: tensor }, 4, 2, undefined, "a");
    // align_corners false: columns at source x = -0.25, 0.25, 0.75, 1.25 → 0, 0.25, 0.75, 1.
    expect(Array.from(up.data.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
  });

  it("a face region is the padded estimated face box of the keypoints", () => {
    const m = regionMask({ face: { padding: 0 } }, 128, 128, kps, "a");
    expect(maskBounds(m)).toEqual([25, 35, 75, 85]);
    const padded = regionMask({ face: {} }, 128, 128, kps, "a");
    expect(sum(padded)).toBeGreaterThan(sum(m));
  });

  it("a face region without keypoints is an INVALID_INPUT error naming the identity", () => {
    expect(() => regionMask({ face: {} }, 8, 8, undefined, "Bob")).toThrow(InstantIdError);
    expect(() => regionMask({ face: {} }, 8, 8, undefined, "Bob")).toThrow(/Bob/);
  });

  it("maskBounds of an empty mask is undefined", () => {
    expect(maskBounds({ width: 3, height: 3, data: new Float32Array(9) })).toBeUndefined();
  });
});
