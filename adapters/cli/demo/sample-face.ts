import type { FiveKeypoints } from "../../../core/index.js";
import { RandomWeights } from "../../../core/testing.js";

// A frontal face on a 512×512 canvas: eyes, nose tip, mouth corners (roughly where SCRFD puts them on a portrait).
const SAMPLE_KEYPOINTS_512: FiveKeypoints = [
  [196, 226],
  [316, 226],
  [256, 292],
  [206, 360],
  [306, 360],
];

/** The demo's built-in keypoints, scaled to a `width` × `height` canvas. */
export function sampleKeypoints(width: number, height: number): FiveKeypoints {
  return SAMPLE_KEYPOINTS_512.map(([x, y]) => [(x * width) / 512, (y * height) / 512] as const) as unknown as FiveKeypoints;
}

// Raw ArcFace embeddings (insightface's `embedding`, not normalised) have norms around 20–30.
const SAMPLE_EMBEDDING_NORM = 24;

/** A seeded random 512-d stand-in for a face embedding (NOT a real identity), scaled to a typical raw ArcFace norm. */
export function sampleEmbedding(seed: number): Float32Array {
  const values = new RandomWeights(seed).gaussian(512);
  const norm = Math.hypot(...values);
  return values.map((v) => (v * SAMPLE_EMBEDDING_NORM) / norm);
}
