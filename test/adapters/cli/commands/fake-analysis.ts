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
      const kps = [[0.35 * w, 0.4 * h], [0.65 * w, 0.4 * h], [0.5 * w, 0.55 * h], [0.4 * w, 0.7 * h], [0.6 * w, 0.7 * h]] as unknown as FiveKeypoints;
      const embedding = Float32Array.from({ length: 8 }, (_, i) => w / 100 + i);
      const face: Face = { bbox: [0.2 * w, 0.2 * h, 0.8 * w, 0.9 * h], score: 0.99, kps, embedding, normedEmbedding: embedding };
      return [face];
    },
  },
});
