import { describe, expect, it } from "vitest";
import type { Canvas } from "../../../../core/kps/raster/canvas.js";
import { clipSegment, drawLine } from "../../../../core/kps/raster/line.js";
import { fillCircle } from "../../../../core/kps/raster/fill-circle.js";
import { fillConvexPolygon } from "../../../../core/kps/raster/fill-convex-poly.js";

function canvas(width: number, height: number): Canvas {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

function lit(c: Canvas): string[] {
  const out: string[] = [];
  for (let p = 0; p < c.width * c.height; p++) if (c.data[p * 3]) out.push(`${p % c.width},${Math.floor(p / c.width)}`);
  return out;
}

describe("drawLine", () => {
  it("draws an 8-connected Bresenham line with one pixel per major step", () => {
    const c = canvas(6, 4);
    drawLine(c, 0, 0, 5, 2, [1, 0, 0]);
    expect(lit(c)).toEqual(["0,0", "1,0", "2,1", "3,1", "4,2", "5,2"]);
  });

  it("draws the same pixels whichever end comes first", () => {
    const a = canvas(8, 8);
    const b = canvas(8, 8);
    drawLine(a, 1, 6, 6, 1, [1, 0, 0]);
    drawLine(b, 6, 1, 1, 6, [1, 0, 0]);
    expect(lit(a)).toEqual(lit(b));
  });

  it("clips with truncating integer division", () => {
    const s = { x1: -4, y1: 1, x2: 5, y2: 4 };
    expect(clipSegment(10, 10, s)).toBe(true);
    expect(s).toEqual({ x1: 0, y1: 1 + Math.trunc((4 * 3) / 9), x2: 5, y2: 4 });
    expect(clipSegment(10, 10, { x1: -4, y1: -1, x2: -1, y2: -9 })).toBe(false);
  });
});

describe("fillCircle", () => {
  it("fills a radius-1 disc as a plus shape", () => {
    const c = canvas(3, 3);
    fillCircle(c, 1, 1, 1, [1, 0, 0]);
    expect(lit(c)).toEqual(["1,0", "0,1", "1,1", "2,1", "1,2"]);
  });

  it("clips a disc centred outside the canvas", () => {
    const c = canvas(4, 4);
    fillCircle(c, -1, 1, 2, [1, 0, 0]);
    expect(lit(c)).toContain("0,1");
    expect(lit(c)).toContain("1,1");
    expect(lit(c)).not.toContain("2,1");
  });
});

describe("fillConvexPolygon", () => {
  it("fills a rectangle including its outline", () => {
    const c = canvas(6, 6);
    fillConvexPolygon(c, [1, 1, 4, 1, 4, 3, 1, 3], [1, 0, 0]);
    expect(lit(c)).toHaveLength(4 * 3);
    expect(lit(c)[0]).toBe("1,1");
  });

  it("draws nothing for a polygon wholly outside the canvas", () => {
    const c = canvas(4, 4);
    fillConvexPolygon(c, [10, 10, 12, 10, 11, 12], [1, 0, 0]);
    expect(lit(c)).toEqual([]);
  });
});
