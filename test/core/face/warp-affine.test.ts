import { describe, expect, it } from "vitest";
import { invertAffine, warpAffine } from "../../../core/face/warp-affine.js";

const image = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i * 10) };

describe("warpAffine", () => {
  it("copies the image under the identity matrix", () => {
    expect(
      warpAffine(
        image,
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
        3,
        2,
      ).data,
    ).toEqual(image.data);
  });

  it("shifts by whole pixels and fills what falls outside with black", () => {
    const out = warpAffine(
      image,
      [
        [1, 0, 1],
        [0, 1, 0],
      ],
      3,
      2,
    );
    expect([...out.data.subarray(0, 9)]).toEqual([0, 0, 0, 0, 10, 20, 30, 40, 50]);
  });

  it("averages neighbours at half-pixel offsets with OpenCV's rounding", () => {
    const out = warpAffine(
      image,
      [
        [1, 0, -0.5],
        [0, 1, 0],
      ],
      2,
      1,
    );
    expect([...out.data.subarray(0, 3)]).toEqual([15, 25, 35]);
  });
});

describe("invertAffine", () => {
  it("inverts a similarity matrix", () => {
    const inv = invertAffine([
      [2, 0, 4],
      [0, 2, -6],
    ]);
    expect(inv).toEqual([
      [0.5, -0, -2],
      [-0, 0.5, 3],
    ]);
  });
});
