import { describe, expect, it } from "vitest";
import { createComposition } from "../../../core/compose/compose.js";
import { drawCompositionPreview, REGION_COLORS } from "../../../core/compose/preview.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { createIdentity } from "../../../core/identity/identity.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);
const face = (x: number): FiveKeypoints => [
  [x, 40],
  [x + 30, 40],
  [x + 15, 55],
  [x + 5, 70],
  [x + 25, 70],
];
const pixel = (img: { width: number; data: Uint8Array }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe("drawCompositionPreview", () => {
  const c = createComposition({
    width: 200,
    height: 104,
    prompt: "",
    identities: [
      { identity: person(1), keypoints: { points: face(30) }, region: { rect: [0, 0, 100, 100] } },
      { identity: person(2), keypoints: { points: face(130) }, region: { rect: [100, 0, 200, 100] } },
    ],
  });
  const img = drawCompositionPreview(c);

  it("has the canvas size and tints each region in its own colour, borders in full colour", () => {
    expect([img.width, img.height]).toEqual([200, 104]);
    const inside = (i: number) => REGION_COLORS[i].map((v) => Math.round(24 * 0.65 + v * 0.35));
    expect(pixel(img, 10, 90)).toEqual(inside(0));
    expect(pixel(img, 110, 90)).toEqual(inside(1));
    expect(pixel(img, 0, 50)).toEqual([...REGION_COLORS[0]]);
  });

  it("draws each identity's keypoints on top in InstantID's colours", () => {
    expect(pixel(img, 30, 40)).toEqual([255, 0, 0]);
    expect(pixel(img, 160, 40)).toEqual([0, 255, 0]);
    expect(pixel(img, 145, 55)).toEqual([0, 0, 255]);
  });

  it("shows a background of the canvas size through the tints", () => {
    const background = { width: 200, height: 104, data: new Uint8Array(200 * 104 * 3).fill(200) };
    const over = drawCompositionPreview(c, { background });
    expect(pixel(over, 10, 90)).toEqual(REGION_COLORS[0].map((v) => Math.round(100 * 0.65 + v * 0.35)));
  });
});
