import { describe, expect, it } from "vitest";
import { estimateFaceBox } from "../../../core/compose/face-box.js";
import { faceSlot, fitIdentityKeypoints } from "../../../core/compose/placement.js";
import { regionMask } from "../../../core/compose/region-mask.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { createIdentity } from "../../../core/identity/identity.js";

const embedding = new Float32Array(512).fill(0.5);
const kps: FiveKeypoints = [
  [140, 150],
  [160, 150],
  [150, 160],
  [142, 170],
  [158, 170],
];

describe("placing an identity's keypoints", () => {
  it("fits the identity's recorded keypoints so their estimated face box fills the rect", () => {
    const identity = createIdentity([{ embedding, kps, width: 300, height: 300 }]);
    const placed = fitIdentityKeypoints(identity, [0, 0, 100, 100]);
    const [x1, y1, x2, y2] = estimateFaceBox(placed);
    expect([x1, y1, x2, y2].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0, 100, 100]);
  });

  it("uses a frontal template for an identity without recorded keypoints, inside the rect", () => {
    const placed = fitIdentityKeypoints(createIdentity([{ embedding }]), [200, 100, 300, 200]);
    for (const [x, y] of placed) {
      expect(x).toBeGreaterThan(200);
      expect(x).toBeLessThan(300);
      expect(y).toBeGreaterThan(100);
      expect(y).toBeLessThan(200);
    }
    expect(placed[0][0]).toBeLessThan(placed[1][0]); // left eye left of right eye
  });

  it("the face slot of a region is a centred square half its shorter side", () => {
    const slot = faceSlot(regionMask({ rect: [100, 0, 300, 400] }, 400, 400, undefined, "a"), "a");
    expect(slot).toEqual([150, 120, 250, 220]);
  });

  it("an empty region has no face slot", () => {
    expect(() => faceSlot({ width: 2, height: 2, data: new Float32Array(4) }, "Bob")).toThrow(/Bob: the region is empty/);
  });
});
