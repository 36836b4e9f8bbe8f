import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import { faceRegionMask } from "../../../core/masks/face-mask.js";

function ones(mask: { width: number; data: Float32Array }): [number, number][] {
  const out: [number, number][] = [];
  mask.data.forEach((v, i) => v === 1 && out.push([i % mask.width, Math.floor(i / mask.width)]));
  return out;
}

describe("faceRegionMask", () => {
  it("covers the truncated bbox with an exclusive end, like mask[y1:y2, x1:x2]", () => {
    const mask = faceRegionMask([1.9, 2.2, 4.7, 4.1], { width: 8, height: 6 });
    expect(ones(mask)).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("grows the box by the padding fraction on every side", () => {
    const mask = faceRegionMask([4, 4, 8, 8], { width: 12, height: 12, padding: 0.25 });
    const cells = ones(mask);
    expect(cells[0]).toEqual([3, 3]);
    expect(cells.at(-1)).toEqual([8, 8]);
    expect(cells).toHaveLength(36);
  });

  it("clips a box that runs off the canvas", () => {
    const mask = faceRegionMask([-5, -5, 2, 100], { width: 4, height: 3 });
    expect(ones(mask)).toHaveLength(2 * 3);
  });

  it("rejects a zero-sized canvas, a non-finite box and negative padding", () => {
    const invalid = expect.objectContaining({ code: ErrorCode.InvalidInput });
    expect(() => faceRegionMask([0, 0, 1, 1], { width: 0, height: 4 })).toThrow(invalid);
    expect(() => faceRegionMask([0, Number.NaN, 1, 1], { width: 4, height: 4 })).toThrow(invalid);
    expect(() => faceRegionMask([0, 0, 1, 1], { width: 4, height: 4, padding: -1 })).toThrow(invalid);
  });
});
