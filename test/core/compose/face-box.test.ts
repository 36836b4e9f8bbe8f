import { describe, expect, it } from "vitest";
import { estimateFaceBox, FACE_BOX_FACTOR, frontalFace, keypointBox } from "../../../core/compose/face-box.js";
import type { FiveKeypoints } from "../../../core/face/types.js";

const kps: FiveKeypoints = [
  [40, 50],
  [60, 50],
  [50, 60],
  [42, 70],
  [58, 70],
];

describe("face boxes from keypoints", () => {
  it("keypointBox spans the five points", () => {
    expect(keypointBox(kps)).toEqual([40, 50, 60, 70]);
  });

  it("estimateFaceBox is a square FACE_BOX_FACTOR times the keypoints' larger side, centred on them", () => {
    const [x1, y1, x2, y2] = estimateFaceBox(kps);
    expect(x2 - x1).toBeCloseTo(20 * FACE_BOX_FACTOR);
    expect(y2 - y1).toBeCloseTo(20 * FACE_BOX_FACTOR);
    expect((x1 + x2) / 2).toBeCloseTo(50);
    expect((y1 + y2) / 2).toBeCloseTo(60);
  });

  it("the frontal template's estimated box is about its 112 px crop", () => {
    const face = frontalFace();
    const [x1, , x2] = estimateFaceBox(face.kps);
    expect(x2 - x1).toBeGreaterThan(90);
    expect(x2 - x1).toBeLessThan(125);
  });
});
