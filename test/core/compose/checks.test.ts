import { describe, expect, it } from "vitest";
import { assertMaskNotEmpty, keypointsOutsideRegion } from "../../../core/compose/checks.js";
import type { FiveKeypoints } from "../../../core/face/types.js";

const kps: FiveKeypoints = [
  [1, 1],
  [3, 1],
  [2, 2],
  [1, 3],
  [3, 3],
];

describe("composition checks", () => {
  it("an all-zero mask is an INVALID_INPUT error with reason EMPTY_MASK", () => {
    expect(() => assertMaskNotEmpty({ width: 2, height: 2, data: new Float32Array(4) }, 1, "Bob")).toThrow(
      expect.objectContaining({
        code: "INVALID_INPUT",
        message: expect.stringMatching(/region of Bob is empty/),
        details: { reason: "EMPTY_MASK", identity: 1 },
      }),
    );
    expect(() => assertMaskNotEmpty({ width: 2, height: 1, data: new Float32Array([0, 0.1]) }, 0, "a")).not.toThrow();
  });

  it("keypoints inside the mask give no warning", () => {
    expect(keypointsOutsideRegion(kps, { width: 4, height: 4, data: new Float32Array(16).fill(1) }, 0, "a")).toBeUndefined();
  });

  it("names each keypoint outside the region or the canvas", () => {
    const left = new Float32Array(16);
    for (let y = 0; y < 4; y++) left.fill(1, y * 4, y * 4 + 2);
    const w = keypointsOutsideRegion(kps, { width: 4, height: 4, data: left }, 2, "Cid");
    expect(w).toMatchObject({ code: "KEYPOINTS_OUTSIDE_REGION", identity: 2 });
    expect(w!.message).toMatch(/Cid: right eye \(3, 1\), nose \(2, 2\), right mouth corner \(3, 3\) outside/);
    const off: FiveKeypoints = [
      [-1, 1],
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 3],
    ];
    expect(keypointsOutsideRegion(off, { width: 4, height: 4, data: new Float32Array(16).fill(1) }, 0, "a")?.message).toMatch(/left eye/);
  });
});
