import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import type { Face, FiveKeypoints } from "../../../core/face/types.js";
import { keypointsFromImage, largestFace, type FaceAnalyzer } from "../../../core/face/face-source.js";

const kps: FiveKeypoints = [
  [1, 1],
  [2, 1],
  [1.5, 2],
  [1, 3],
  [2, 3],
];

function face(bbox: [number, number, number, number]): Face {
  return { bbox, score: 0.9, kps, embedding: new Float32Array(4), normedEmbedding: new Float32Array(4) };
}

describe("largestFace", () => {
  it("picks the face with the largest bbox area, as InstantID does", () => {
    const small = face([0, 0, 10, 10]);
    const big = face([50, 50, 80, 90]);
    expect(largestFace([small, big, face([0, 0, 5, 5])])).toBe(big);
  });

  it("reports NO_FACE naming the picture when nothing was found", () => {
    expect(() => largestFace([], "pose.jpg")).toThrow(
      expect.objectContaining({ code: ErrorCode.NoFace, message: expect.stringContaining("pose.jpg") }),
    );
  });
});

describe("keypointsFromImage", () => {
  it("returns the main face's keypoints with the size of the analysed picture", async () => {
    const seen: number[] = [];
    const analyzer: FaceAnalyzer = {
      async analyze(image) {
        seen.push(image.width, image.height);
        return [face([0, 0, 2, 2]), { ...face([0, 0, 6, 6]), kps: kps.map(([x, y]) => [x * 3, y * 3]) as unknown as FiveKeypoints }];
      },
    };
    const raw = { width: 7, height: 5, data: new Uint8Array(7 * 5 * 3) };
    const source = await keypointsFromImage(analyzer, raw);
    expect(seen).toEqual([7, 5]);
    expect([source.width, source.height]).toEqual([7, 5]);
    expect(source.kps[0]).toEqual([3, 3]);
  });
});
