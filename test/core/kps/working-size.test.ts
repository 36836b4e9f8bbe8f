import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { scaleKeypoints, workingSize } from "../../../core/kps/working-size.js";

describe("workingSize", () => {
  it.each([
    [3000, 2000, 1280, 832], // 1024/2000 -> 1536x1024, then long side 1280 -> 1280x853 -> floor 64
    [1000, 1000, 1280, 1280], // small square images are upscaled
    [500, 1000, 640, 1280],
    [640, 480, 1280, 960],
    [1920, 1080, 1280, 704], // 1820x1024 -> 1280x720 -> 704
  ])("maps %sx%s to %sx%s as resize_img does", (width, height, w, h) => {
    expect(workingSize({ width, height })).toEqual({ width: w, height: h });
  });

  it("honours other maxSide and multiple values", () => {
    expect(workingSize({ width: 1000, height: 500 }, { maxSide: 1024, multiple: 8 })).toEqual({ width: 1024, height: 512 });
  });

  it("rejects a zero-sized image", () => {
    expect(() => workingSize({ width: 0, height: 10 })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });
});

describe("scaleKeypoints", () => {
  it("scales each axis by the ratio of the sizes", () => {
    const kps: FiveKeypoints = [
      [10, 20],
      [30, 20],
      [20, 30],
      [12, 40],
      [28, 40],
    ];
    const scaled = scaleKeypoints(kps, { width: 100, height: 200 }, { width: 200, height: 100 });
    expect(scaled[0]).toEqual([20, 10]);
    expect(scaled[4]).toEqual([56, 20]);
  });
});
