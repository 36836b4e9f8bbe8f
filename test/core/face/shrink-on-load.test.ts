import { beforeAll, expect, it } from "vitest";
import { FaceAnalysis } from "../../../core/face/analysis.js";
import { decodeShrunk } from "../../../core/face/shrink-on-load.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describeShared("FaceAnalysis with shrinkOnLoad (opt-in)", "real/models/models.json", () => {
  let analysis: FaceAnalysis;
  beforeAll(async () => {
    analysis = await FaceAnalysis.create({ models: sharedPath("real", "models") });
  });

  it("decodes a large JPEG at the largest power-of-two reduction that keeps the long side, and says how to scale back", async () => {
    const photo = sharedPath("real", "images", "biden_1.jpg"); // 970x2204
    const half = await decodeShrunk(photo, 960);
    expect([half.image.width, half.image.height]).toEqual([485, 1102]);
    expect(half.scale).toBeCloseTo(2, 5);
    const quarter = await decodeShrunk(photo, 500);
    expect([quarter.image.width, quarter.image.height]).toEqual([243, 551]);
    expect((await decodeShrunk(photo, 1200)).scale).toBe(1);
  });

  it("finds the same faces in a 970x2204 photo: keypoints in the photo's pixels within 2% of the face width, embeddings alike", async () => {
    const photo = sharedPath("real", "images", "biden_1.jpg");
    const full = await analysis.analyze(photo);
    const shrunk = await analysis.analyze(photo, { shrinkOnLoad: true });
    expect(shrunk.length).toBe(full.length);
    shrunk.forEach((face, f) => {
      const width = full[f].bbox[2] - full[f].bbox[0];
      face.kps.forEach(([x, y], k) => expect(Math.hypot(x - full[f].kps[k][0], y - full[f].kps[k][1])).toBeLessThan(0.02 * width));
      expect(cosine(face.normedEmbedding, full[f].normedEmbedding)).toBeGreaterThan(0.95);
    });
  });

  it("leaves a photo already smaller than the limit exactly as a full decode, and refuses a limit below 640", async () => {
    const photo = sharedPath("real", "images", "hopkins_1.jpg");
    const [full, shrunk] = [await analysis.analyze(photo), await analysis.analyze(photo, { shrinkOnLoad: true })];
    expect(shrunk.map((f) => f.kps)).toEqual(full.map((f) => f.kps));
    await expect(analysis.analyze(photo, { shrinkOnLoad: 100 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});
