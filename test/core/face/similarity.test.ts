import { describe, expect, it } from "vitest";
import { estimateSimilarity } from "../../../core/face/similarity.js";
import { InstantIdError } from "../../../core/errors.js";
import type { Point } from "../../../core/face/types.js";
import { assertClose } from "../../helpers/assert-close.js";

describe("estimateSimilarity", () => {
  it("recovers an exact rotation, scale and translation", () => {
    const [scale, angle, tx, ty] = [1.7, 0.4, -12, 30];
    const [a, b] = [scale * Math.cos(angle), scale * Math.sin(angle)];
    const src: Point[] = [
      [1, 2],
      [40, 5],
      [22, 30],
      [5, 50],
      [38, 52],
    ];
    const dst = src.map(([x, y]): Point => [a * x - b * y + tx, b * x + a * y + ty]);
    assertClose(estimateSimilarity(src, dst).flat(), [a, -b, tx, b, a, ty], { abs: 1e-9 }, "matrix");
  });

  it("never reflects: a mirrored target still gives a rotation", () => {
    const src: Point[] = [
      [0, 0],
      [10, 0],
      [0, 10],
      [10, 10],
      [5, 7],
    ];
    const [[a, b], [c, d]] = estimateSimilarity(
      src,
      src.map(([x, y]): Point => [-x, y]),
    );
    expect(a * d - b * c).toBeGreaterThanOrEqual(0);
  });

  it("refuses keypoints that all coincide", () => {
    const same: Point[] = Array.from({ length: 5 }, () => [3, 3] as Point);
    expect(() => estimateSimilarity(same, same)).toThrow(InstantIdError);
  });
});
