import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { FaceAnalysis } from "../../../core/face/analysis.js";
import type { Face } from "../../../core/face/types.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

interface ExpectedImage {
  image: string;
  faces: { bbox: number[]; score: number; kps: number[][] }[];
  largest: number;
  embedding: number[];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function person(image: string): string {
  return image === "two_people.jpg" ? "biden" : image.split("_")[0];
}

describeShared("FaceAnalysis on real photos with det_500m.onnx and recognizer.onnx", "real/models/models.json", () => {
  const expected = JSON.parse(readFileSync(sharedPath("real", "expected.json"), "utf8")).results as ExpectedImage[];
  const found = new Map<string, Face[]>();

  // All photos at once: concurrent calls on one instance must each get their own, correct result.
  beforeAll(async () => {
    const analysis = await FaceAnalysis.create({ models: sharedPath("real", "models") });
    const results = await Promise.all(expected.map((e) => analysis.analyze(sharedPath("real", "images", e.image))));
    expected.forEach((e, i) => found.set(e.image, results[i]));
  }, 60_000);

  it("finds every reference face with keypoints within 2% of the face width", () => {
    for (const e of expected) {
      const faces = found.get(e.image)!;
      expect(faces.length, e.image).toBe(e.faces.length);
      for (const ref of e.faces) {
        const width = ref.bbox[2] - ref.bbox[0];
        const match = faces.find((f) => Math.abs(f.bbox[0] - ref.bbox[0]) < width * 0.1 && Math.abs(f.bbox[1] - ref.bbox[1]) < width * 0.1);
        expect(match, `${e.image}: face at ${ref.bbox}`).toBeDefined();
        const worst = Math.max(...ref.kps.map(([x, y], k) => Math.hypot(match!.kps[k][0] - x, match!.kps[k][1] - y)));
        expect(worst / width, `${e.image} keypoint error / face width`).toBeLessThanOrEqual(0.02);
      }
    }
  });

  it("returns faces largest first, and the largest face's embedding has cosine >= 0.97 to the reference", () => {
    for (const e of expected) {
      const faces = found.get(e.image)!;
      const areas = faces.map((f) => (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]));
      expect(areas).toEqual([...areas].sort((a, b) => b - a));
      expect(dot(faces[0].normedEmbedding, e.embedding), `${e.image} cosine`).toBeGreaterThanOrEqual(0.97);
      expect(dot(faces[0].normedEmbedding, faces[0].normedEmbedding)).toBeCloseTo(1, 5);
      expect(Math.abs(dot(faces[0].embedding, faces[0].normedEmbedding) ** 2 - dot(faces[0].embedding, faces[0].embedding))).toBeLessThan(
        1e-2 * dot(faces[0].embedding, faces[0].embedding),
      );
    }
  });

  it("scores every same-person pair above every different-person pair", () => {
    const same: number[] = [];
    const different: number[] = [];
    for (const [i, a] of expected.entries()) {
      for (const b of expected.slice(i + 1)) {
        const similarity = dot(found.get(a.image)![0].normedEmbedding, found.get(b.image)![0].normedEmbedding);
        (person(a.image) === person(b.image) ? same : different).push(similarity);
      }
    }
    expect(Math.min(...same)).toBeGreaterThan(Math.max(...different));
  });
});

describe("FaceAnalysis.create", () => {
  it("asks for models when neither a manifest nor both models are given", async () => {
    const error = (await FaceAnalysis.create({}).catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain("models");
  });
});

describeShared("FaceAnalysis on bad input", "real/models/models.json", () => {
  it("reports bytes that are not an image as IMAGE_UNREADABLE", async () => {
    const analysis = await FaceAnalysis.create({ models: sharedPath("real", "models") });
    const error = (await analysis.analyze(Buffer.from("not an image at all")).catch((e: unknown) => e)) as InstantIdError;
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error.code).toBe(ErrorCode.ImageUnreadable);
  });

  it("reports an empty raw image as IMAGE_UNREADABLE", async () => {
    const analysis = await FaceAnalysis.create({ models: sharedPath("real", "models") });
    const error = (await analysis.analyze({ width: 0, height: 0, data: new Uint8Array(0) }).catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.ImageUnreadable);
  });

  it("keeps at most maxNum faces and rejects a negative maxNum", async () => {
    const analysis = await FaceAnalysis.create({ models: sharedPath("real", "models") });
    expect((await analysis.analyze(sharedPath("real", "images", "two_people.jpg"), { maxNum: 1 })).length).toBe(1);
    const error = (await analysis
      .analyze(sharedPath("real", "images", "two_people.jpg"), { maxNum: -1 })
      .catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.InvalidOption);
  });

  it("takes models given inline, with the recognizer's channel order overridden", async () => {
    const models = (f: string) => sharedPath("real", "models", f);
    const analysis = await FaceAnalysis.create({
      detector: { path: models("scrfd_500m_bnkps.onnx") },
      recognizer: { path: models("recognizer.onnx"), mean: 127.5, std: 128, channelOrder: "BGR" },
    });
    const [face] = await analysis.analyze(sharedPath("real", "images", "hopkins_1.jpg"));
    const reference = JSON.parse(readFileSync(sharedPath("real", "expected.json"), "utf8")).results.find(
      (r: ExpectedImage) => r.image === "hopkins_1.jpg",
    );
    expect(dot(face.normedEmbedding, reference.embedding)).toBeGreaterThanOrEqual(0.97);
  });
});
