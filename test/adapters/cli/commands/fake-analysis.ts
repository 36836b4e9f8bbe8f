import type { OpenFaceAnalysis } from "../../../../adapters/cli/face-analysis.js";
import type { Face, FiveKeypoints } from "../../../../core/face/types.js";

/**
 * Face analysis for CLI tests without models: one face whose box and keypoints
 * sit at fixed fractions of the picture and whose embedding encodes its width.
 */
export const fakeFaceAnalysis: OpenFaceAnalysis = async () => ({
  models: [{ name: "fake-recognizer.onnx", sha256: "00ff" }],
  analyzer: {
    async analyze(image) {
      const { width: w, height: h } = image;
      const kps = [
        [0.35 * w, 0.4 * h],
        [0.65 * w, 0.4 * h],
        [0.5 * w, 0.55 * h],
        [0.4 * w, 0.7 * h],
        [0.6 * w, 0.7 * h],
      ] as unknown as FiveKeypoints;
      const embedding = Float32Array.from({ length: 8 }, (_, i) => w / 100 + i);
      const face: Face = { bbox: [0.2 * w, 0.2 * h, 0.8 * w, 0.9 * h], score: 0.99, kps, embedding, normedEmbedding: embedding };
      return [face];
    },
  },
});

/**
 * Face analysis for CLI tests without models: in every picture a face centred at each of `centres`
 * (fractions of the width, listed right to left so matching must sort them), with 512-value
 * embeddings (what A1111 takes) that encode the centre.
 */
export function fakeGroupAnalysis(centres: readonly number[]): OpenFaceAnalysis {
  const face = (c: number, w: number, h: number): Face => {
    const at = (dx: number, y: number): [number, number] => [(c + dx) * w, y * h];
    const kps = [at(-0.08, 0.4), at(0.08, 0.4), at(0, 0.55), at(-0.05, 0.7), at(0.05, 0.7)] as unknown as FiveKeypoints;
    const embedding = Float32Array.from({ length: 512 }, (_, i) => c + i / 512);
    return { bbox: [(c - 0.15) * w, 0.2 * h, (c + 0.15) * w, 0.9 * h], score: 0.9, kps, embedding, normedEmbedding: embedding };
  };
  return async () => ({
    models: [{ name: "fake-recognizer.onnx", sha256: "00ff" }],
    analyzer: { analyze: async (image) => [...centres].sort((a, b) => b - a).map((c) => face(c, image.width, image.height)) },
  });
}
