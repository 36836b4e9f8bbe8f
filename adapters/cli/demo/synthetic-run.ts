import { tensor } from "../../../core/index.js";
import { RandomWeights, TINY_UNET, buildSyntheticModels, type SyntheticModels, type SyntheticUnetConfig } from "../../../core/testing.js";
import { REFERENCE_SCALES, type FaceInput, type GenerationInput } from "./pipeline.js";
import { sampleEmbedding, sampleKeypoints } from "./sample-face.js";

/** The demo's tiny models: SDXL's structure at small widths, built for a 256×256 output (latent 32×32). */
export const DEMO_UNET: SyntheticUnetConfig = { ...TINY_UNET, latentSize: { height: 32, width: 32 } };

/** What the synthetic run prints and reports, so no one mistakes its images for real results. */
export const SYNTHETIC_NOTICES = [
  "The models are SYNTHETIC: random weights built by the SDK (no download). output.png shows the pipeline ran, not a face.",
  "The face embedding is a seeded RANDOM 512-d vector, not a real identity; the keypoints are built-in sample keypoints.",
  "The prompt embeddings are seeded random tensors (no text encoder runs).",
];

/** Builds (or reuses) the tiny models and the sample face, prompt and settings. */
export async function prepareSyntheticRun(settings: {
  cacheDir: string;
  outDir: string;
  steps: number;
  seed: number;
  guidance: number;
}): Promise<{ face: FaceInput; generation: GenerationInput; models: SyntheticModels }> {
  const models = await buildSyntheticModels(settings.cacheDir, { unet: DEMO_UNET });
  const { height, width } = DEMO_UNET.latentSize!;
  const random = new RandomWeights(settings.seed + 1);
  const face: FaceInput = {
    keypoints: sampleKeypoints(width * 8, height * 8),
    width: width * 8,
    height: height * 8,
    embedding: sampleEmbedding(settings.seed),
    imageAdapter: models.imageAdapter,
    outDir: settings.outDir,
  };
  const generation: GenerationInput = {
    models,
    prompt: {
      embeds: tensor([1, 77, DEMO_UNET.contextDim], random.gaussian(77 * DEMO_UNET.contextDim)),
      pooled: tensor([1, DEMO_UNET.pooledDim], random.gaussian(DEMO_UNET.pooledDim)),
    },
    steps: settings.steps,
    guidance: settings.guidance,
    seed: settings.seed,
    ...REFERENCE_SCALES,
  };
  return { face, generation, models };
}
