import { describe, expect, it } from "vitest";
import { poseFromImage } from "../../../core/compose/pose-source.js";
import type { Face, FiveKeypoints } from "../../../core/face/types.js";

describe("poseFromImage", () => {
  it("returns every face the analyzer finds with the photo's size, and the photo", async () => {
    const kps = [
      [1, 1],
      [2, 1],
      [1.5, 2],
      [1, 3],
      [2, 3],
    ] as unknown as FiveKeypoints;
    const face = (x: number): Face => ({
      bbox: [x, 0, x + 3, 4],
      score: 1,
      kps,
      embedding: new Float32Array(1),
      normedEmbedding: new Float32Array(1),
    });
    const seen: number[] = [];
    const analyzer = { analyze: async (image: { width: number }) => (seen.push(image.width), [face(5), face(0)]) };
    const raw = { width: 8, height: 4, data: new Uint8Array(8 * 4 * 3), channels: 3 as const };
    const { pose, image } = await poseFromImage(analyzer, raw);
    expect(seen).toEqual([8]);
    expect([pose.width, pose.height, pose.faces.length]).toEqual([8, 4, 2]);
    expect(image.width).toBe(8);
  });
});
