import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { loadImage } from "../../../core/image/io.js";
import type { RgbImage } from "../../../core/image/rgb-image.js";
import { renderKeypoints } from "../../../core/kps/render.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

interface KpsCase {
  readonly width: number;
  readonly height: number;
  readonly kps: FiveKeypoints;
  readonly png: string;
}

/** Pixels that differ, with the first few positions spelled out for the failure message. */
function pixelDiff(actual: RgbImage, expected: RgbImage): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (let p = 0; p < actual.width * actual.height; p++) {
    const i = p * 3;
    if (actual.data[i] === expected.data[i] && actual.data[i + 1] === expected.data[i + 1] && actual.data[i + 2] === expected.data[i + 2])
      continue;
    count++;
    if (first.length < 5)
      first.push(
        `(${p % actual.width},${Math.floor(p / actual.width)}) got ${actual.data.subarray(i, i + 3).join("/")} want ` +
          `${expected.data.subarray(i, i + 3).join("/")}`,
      );
  }
  return { count, first };
}

const face: FiveKeypoints = [
  [40, 40],
  [80, 40],
  [60, 60],
  [45, 80],
  [75, 80],
];

describeShared("renderKeypoints against draw_kps", "golden/kps", () => {
  const cases = (JSON.parse(readFileSync(sharedPath("golden/kps/cases.json"), "utf8")) as { cases: KpsCase[] }).cases;
  it.each(cases.map((c) => [c.png, c] as const))("matches %s pixel for pixel", async (_name, c) => {
    const actual = renderKeypoints(c.kps, { width: c.width, height: c.height });
    const expected = await loadImage(sharedPath("golden/kps", c.png));
    expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
    const diff = pixelDiff(actual, expected);
    expect(diff.count, diff.first.join("; ")).toBe(0);
  });
});

describe("renderKeypoints", () => {
  it("draws the five discs in InstantID's colours at the truncated keypoint positions", () => {
    const image = renderKeypoints(face, { width: 128, height: 128 });
    const at = (x: number, y: number) => [...image.data.subarray((y * 128 + x) * 3, (y * 128 + x) * 3 + 3)];
    expect(at(40, 40)).toEqual([255, 0, 0]);
    expect(at(80, 40)).toEqual([0, 255, 0]);
    expect(at(60, 60)).toEqual([0, 0, 255]);
    expect(at(45, 80)).toEqual([255, 255, 0]);
    expect(at(75, 80)).toEqual([255, 0, 255]);
    expect(at(0, 0)).toEqual([0, 0, 0]);
  });

  it("dims limbs to 0.6 of their colour where no disc covers them", () => {
    const image = renderKeypoints(face, { width: 128, height: 128 });
    const i = (50 * 128 + 50) * 3; // halfway between left eye and nose
    expect([...image.data.subarray(i, i + 3)]).toEqual([153, 0, 0]);
  });

  it("draws several faces on one canvas, the same as each alone where they do not overlap", () => {
    const moved = face.map(([x, y]) => [x + 128, y]) as unknown as FiveKeypoints;
    const both = renderKeypoints([face, moved], { width: 256, height: 128 });
    const left = renderKeypoints(face, { width: 256, height: 128 });
    for (let y = 0; y < 128; y++) {
      const row = y * 256 * 3;
      expect(both.data.subarray(row, row + 128 * 3)).toEqual(left.data.subarray(row, row + 128 * 3));
    }
    const i = (40 * 256 + 168) * 3;
    expect([...both.data.subarray(i, i + 3)]).toEqual([255, 0, 0]);
  });

  it("applies style options: radius, stick width and colours", () => {
    const grey: [number, number, number] = [100, 100, 100];
    const image = renderKeypoints(face, {
      width: 128,
      height: 128,
      style: { radius: 2, stickWidth: 1, colors: [grey, grey, grey, grey, grey] },
    });
    const at = (x: number, y: number) => [...image.data.subarray((y * 128 + x) * 3, (y * 128 + x) * 3 + 3)];
    expect(at(40, 40)).toEqual([100, 100, 100]);
    expect(at(40, 45)).toEqual([0, 0, 0]);
    expect(at(50, 50)).toEqual([60, 60, 60]);
  });

  it("clips faces that lie partly or wholly outside the canvas without throwing", () => {
    const far = face.map(([x, y]) => [x - 1000, y + 5000]) as unknown as FiveKeypoints;
    const image = renderKeypoints(far, { width: 64, height: 64 });
    expect(image.data.every((v) => v === 0)).toBe(true);
  });

  it.each([
    ["four points", face.slice(0, 4)],
    ["six points", [...face, [1, 1]]],
    ["a NaN coordinate", [[Number.NaN, 1], ...face.slice(1)]],
    ["an infinite coordinate", [[1, Number.POSITIVE_INFINITY], ...face.slice(1)]],
  ])("rejects %s with INVALID_INPUT", (_what, kps) => {
    expect(() => renderKeypoints(kps as unknown as FiveKeypoints, { width: 64, height: 64 })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
  });

  it("rejects coordinates too far out to rasterise exactly", () => {
    const far = [[2e6, 0], ...face.slice(1)] as unknown as FiveKeypoints;
    expect(() => renderKeypoints(far, { width: 64, height: 64 })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });

  it("rejects a bad style with INVALID_OPTION", () => {
    expect(() => renderKeypoints(face, { width: 64, height: 64, style: { radius: -1 } })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }),
    );
    expect(() => renderKeypoints(face, { width: 64, height: 64, style: { colors: [[1, 2, 3]] } })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }),
    );
  });

  it.each([
    [0, 64],
    [64, 0],
    [12.5, 64],
  ])("rejects a %sx%s canvas with INVALID_INPUT", (width, height) => {
    expect(() => renderKeypoints(face, { width, height })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });
});
