import { describe, expect, it } from "vitest";
import { polygonMask } from "../../../core/compose/polygon.js";

const ones = (m: { data: Float32Array }) => m.data.reduce((n, v) => n + v, 0);

describe("polygonMask", () => {
  it("fills exactly the pixels of an axis-aligned rectangle given as a polygon", () => {
    const m = polygonMask(
      [
        [2, 1],
        [6, 1],
        [6, 4],
        [2, 4],
      ],
      8,
      6,
    );
    expect(ones(m)).toBe(4 * 3);
    expect(m.data[1 * 8 + 2]).toBe(1);
    expect(m.data[1 * 8 + 6]).toBe(0);
    expect(m.data[4 * 8 + 2]).toBe(0);
  });

  it("covers half the canvas with the triangle on its diagonal, by pixel centres", () => {
    const m = polygonMask(
      [
        [0, 0],
        [10, 0],
        [0, 10],
      ],
      10,
      10,
    );
    // Centre (x + .5, y + .5) inside x + y < 10: x + y <= 8 → 45 pixels.
    expect(ones(m)).toBe(45);
    expect(m.data[0]).toBe(1);
    expect(m.data[9 * 10 + 9]).toBe(0);
  });

  it("leaves the hole of a self-overlapping outline empty (even-odd)", () => {
    // A bow tie crossing at (5, 5): the left and right triangles are filled, above and below the crossing is not.
    const m = polygonMask(
      [
        [0, 0],
        [10, 10],
        [10, 0],
        [0, 10],
      ],
      10,
      10,
    );
    expect(m.data[5 * 10 + 0]).toBe(1);
    expect(m.data[5 * 10 + 9]).toBe(1);
    expect(m.data[0 * 10 + 5]).toBe(0);
    expect(m.data[9 * 10 + 5]).toBe(0);
  });

  it("clips a polygon reaching past the canvas", () => {
    const m = polygonMask(
      [
        [-5, -5],
        [20, -5],
        [20, 20],
        [-5, 20],
      ],
      4,
      3,
    );
    expect(ones(m)).toBe(12);
  });
});
