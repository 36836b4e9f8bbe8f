import { describe, expect, it } from "vitest";
import type { Detection } from "../../../core/face/types.js";
import { drawFacePreview } from "../../../core/kps/preview.js";

describe("drawFacePreview", () => {
  it("draws the box in green and keypoints in their colours over a copy of the photo", () => {
    const photo = { width: 40, height: 40, data: new Uint8Array(40 * 40 * 3).fill(128) };
    const face: Detection = {
      bbox: [5, 5, 35, 35],
      score: 0.9,
      kps: [
        [12, 12],
        [28, 12],
        [20, 20],
        [14, 28],
        [26, 28],
      ],
    };
    const out = drawFacePreview(photo, [face]);
    const at = (x: number, y: number) => [...out.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
    expect(at(20, 5)).toEqual([0, 255, 0]);
    expect(at(12, 12)).toEqual([255, 0, 0]);
    expect(at(26, 28)).toEqual([255, 0, 255]);
    expect(at(1, 1)).toEqual([128, 128, 128]);
    expect(photo.data[(5 * 40 + 20) * 3]).toBe(128);
  });
});
