import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { retargetKeypoints } from "../../../core/kps/retarget.js";

const kps: FiveKeypoints = [
  [100, 100],
  [140, 100],
  [120, 120],
  [105, 140],
  [135, 140],
];

describe("retargetKeypoints", () => {
  it("fits the face's bbox into the rectangle, scaled uniformly and centred", () => {
    const out = retargetKeypoints(kps, { x: 500, y: 0, width: 200, height: 400 }, { from: [80, 80, 160, 160] });
    // scale 200/80 = 2.5; box height 200 centred in 400 -> y offset 100
    expect(out[0]).toEqual([500 + 20 * 2.5, 100 + 20 * 2.5]);
    expect(out[2]).toEqual([500 + 40 * 2.5, 100 + 40 * 2.5]);
  });

  it("uses the keypoints' own box when no bbox is given", () => {
    const out = retargetKeypoints(kps, { x: 0, y: 0, width: 80, height: 80 });
    expect(out[0]).toEqual([0, 0]);
    expect(out[4]).toEqual([70, 80]);
  });

  it("rejects an empty rectangle and a degenerate source region", () => {
    expect(() => retargetKeypoints(kps, { x: 0, y: 0, width: 0, height: 10 })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
    expect(() => retargetKeypoints(kps, { x: 0, y: 0, width: 10, height: 10 }, { from: [5, 5, 5, 9] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
  });
});
