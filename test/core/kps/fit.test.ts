import { describe, expect, it } from "vitest";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { fitKeypoints, fitPlacement } from "../../../core/kps/fit.js";

const kps: FiveKeypoints = [
  [400, 300],
  [600, 300],
  [500, 400],
  [420, 515],
  [580, 515],
];
/** Mouth-to-eyes height over eye distance: what a squash changes. */
const ratio = (k: FiveKeypoints) => (k[3][1] - k[0][1]) / (k[1][0] - k[0][0]);

describe("fitPlacement", () => {
  it("scales by the smaller axis ratio and centres with floored offsets, as resize_img's padding and Resize and Fill do", () => {
    expect(fitPlacement({ width: 1126, height: 661 }, { width: 1024, height: 1024 })).toEqual({
      scale: 1024 / 1126,
      x: 0,
      y: 211,
      width: 1024,
      height: 601,
    });
    expect(fitPlacement({ width: 661, height: 1126 }, { width: 1024, height: 512 })).toMatchObject({
      x: 361,
      y: 0,
      width: 301,
      height: 512,
    });
  });

  it("is the identity for a canvas of the picture's own size", () => {
    expect(fitPlacement({ width: 640, height: 480 }, { width: 640, height: 480 })).toEqual({
      scale: 1,
      x: 0,
      y: 0,
      width: 640,
      height: 480,
    });
  });

  it("refuses an empty size", () => {
    expect(() => fitPlacement({ width: 0, height: 10 }, { width: 10, height: 10 })).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT" }),
    );
  });
});

describe("fitKeypoints", () => {
  it("keeps the face's proportions on a canvas of another aspect (a squash would halve the ratio)", () => {
    const fitted = fitKeypoints(kps, { width: 1000, height: 1000 }, { width: 1024, height: 512 });
    expect(ratio(fitted)).toBeCloseTo(ratio(kps), 10);
    expect(fitted[0]).toEqual([256 + 400 * 0.512, 300 * 0.512]);
  });

  it("keeps the face where it was in the picture", () => {
    const fitted = fitKeypoints(kps, { width: 1000, height: 600 }, { width: 500, height: 300 });
    expect(fitted).toEqual(kps.map(([x, y]) => [x / 2, y / 2]));
  });
});
