import { describe, expect, it } from "vitest";
import { createIdentity, loadImage } from "../../../core/index.js";
import { controlImageToRgb, keypointImagePng, photoPlacement, regionMaskPng } from "../../../core/internal.js";
import { createComposition } from "../../../core/index.js";

describe("a composition's images encoded for a server", () => {
  it("controlImageToRgb turns a [1, 3, H, W] tensor in [0, 1] into interleaved 8-bit RGB, clamped", () => {
    const image = controlImageToRgb({ shape: [1, 3, 1, 2], data: Float32Array.from([1, 0, 0.5, 2, 0, -1]) });
    expect([image.width, image.height, ...image.data]).toEqual([2, 1, 255, 128, 0, 0, 255, 0]);
  });

  it("regionMaskPng writes the mask as grey levels (white = 1)", async () => {
    const png = await regionMaskPng({ width: 3, height: 1, data: Float32Array.from([0, 0.5, 1]) });
    const back = await loadImage(png);
    expect([...back.data]).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
  });

  it("keypointImagePng encodes the identity's keypoint image as drawn on the canvas", async () => {
    const identity = createIdentity([{ embedding: new Float32Array(4).fill(1), kps: KPS, width: 64, height: 64 }]);
    const c = createComposition({
      width: 128,
      height: 128,
      prompt: "x",
      identities: [{ identity, keypoints: photoPlacement(identity, { width: 128, height: 128 }) }],
    });
    const back = await loadImage(await keypointImagePng(c.identities[0]));
    expect([back.width, back.height]).toEqual([128, 128]);
    expect([...back.data.subarray((40 * 128 + 40) * 3, (40 * 128 + 40) * 3 + 3)]).toEqual([255, 0, 0]); // the left eye, (20, 20) × 2
  });

  it("photoPlacement fits the recorded photo whole onto the canvas (one scale, centred); none without a recorded photo", () => {
    const identity = createIdentity([{ embedding: new Float32Array(4).fill(1), kps: KPS, width: 64, height: 32 }]);
    expect(photoPlacement(identity, { width: 128, height: 128 })).toEqual({
      points: KPS.map(([x, y]) => [x * 2, y * 2 + 32]),
    });
    expect(photoPlacement(createIdentity([{ embedding: new Float32Array(4) }]), { width: 128, height: 128 })).toBeUndefined();
  });
});

const KPS = [
  [20, 20],
  [40, 20],
  [30, 25],
  [22, 28],
  [38, 28],
] as const;
