import { describe, expect, it } from "vitest";
import { ellipsePolygon } from "../../../../core/kps/raster/ellipse-poly.js";
import { cvRound } from "../../../../core/kps/raster/round.js";
import { SIN_TABLE } from "../../../../core/kps/raster/sin-table.js";

describe("SIN_TABLE", () => {
  it("holds OpenCV's seven-decimal float32 sines", () => {
    expect(SIN_TABLE[1]).toBe(Math.fround(0.0174524));
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the table holds float32(sin 45°) as the reference computes it
    expect(SIN_TABLE[45]).toBe(Math.fround(0.7071068));
    expect(SIN_TABLE[90]).toBe(1);
    expect(SIN_TABLE[450]).toBe(1);
    expect(SIN_TABLE[270]).toBe(-1);
  });
});

describe("cvRound", () => {
  it("rounds ties to even", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(cvRound)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });
});

describe("ellipsePolygon", () => {
  it("gives an axis-aligned ellipse's extreme points and drops repeated vertices", () => {
    const poly = ellipsePolygon({ centerX: 50, centerY: 20, axisX: 10, axisY: 4, angle: 0, arcStart: 0, arcEnd: 360, delta: 1 });
    expect(poly.slice(0, 2)).toEqual([60, 20]);
    const points = Array.from({ length: poly.length / 2 }, (_, i) => `${poly[2 * i]},${poly[2 * i + 1]}`);
    expect(points).toContain("40,20");
    expect(points).toContain("50,24");
    expect(points).toContain("50,16");
    for (let i = 1; i < points.length; i++) expect(points[i]).not.toBe(points[i - 1]);
  });

  it("rotates by the angle in degrees (90 swaps the axes)", () => {
    const poly = ellipsePolygon({ centerX: 0, centerY: 0, axisX: 10, axisY: 4, angle: 90, arcStart: 0, arcEnd: 360, delta: 1 });
    expect(poly.slice(0, 2)).toEqual([0, 10]);
  });

  it("returns the centre twice for a zero-sized ellipse", () => {
    expect(ellipsePolygon({ centerX: 3, centerY: 7, axisX: 0, axisY: 0, angle: 0, arcStart: 0, arcEnd: 360, delta: 1 })).toEqual([
      3, 7, 3, 7,
    ]);
  });
});
