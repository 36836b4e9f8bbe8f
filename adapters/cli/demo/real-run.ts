import { FaceAnalysis, convertControlNet, loadImage, scaleKeypoints, tensor, workingSize, type Face, type ProgressListener } from "../../../core/index.js";
import { REFERENCE_SCALES, type FaceInput, type GenerationInput } from "./pipeline.js";
import type { RealModels } from "./real-models.js";
import type { StageTimer } from "./timings.js";

/**
 * Runs face analysis on the photo; returns the largest face on InstantID's working canvas and, when the
 * SDXL models are in the folder, the generation input (empty prompt: no text encoder runs in the SDK).
 */
export async function prepareRealRun(
  models: RealModels,
  photo: string,
  settings: { outDir: string; steps: number; seed: number; guidance: number },
  timer: StageTimer,
): Promise<{ detected: Face; face: FaceInput; generation?: GenerationInput }> {
  const analysis = await timer.time("load face models", () => FaceAnalysis.create({ models: models.faceModels }));
  const image = await timer.time("read photo", () => loadImage(photo), (img) => `${img.width}x${img.height}`);
  const [detected] = await timer.time("face analysis", () => analysis.analyze(image), (faces) => `${faces.length} face(s), using the largest`);
  // InstantID renders the keypoints on its working size (resize_img) of the photo, and generates at that size.
  const canvas = workingSize(image);
  const face: FaceInput = {
    keypoints: scaleKeypoints(detected.kps, image, canvas),
    width: canvas.width,
    height: canvas.height,
    embedding: detected.embedding,
    imageAdapter: models.imageAdapter,
    outDir: settings.outDir,
  };
  if (!models.generation) return { detected, face };
  const generation: GenerationInput = {
    models: models.generation,
    prompt: { embeds: tensor([1, 77, 2048]), pooled: tensor([1, 1280]) },
    steps: settings.steps,
    guidance: settings.guidance,
    seed: settings.seed,
    ...REFERENCE_SCALES,
  };
  return { detected, face, generation };
}

/**
 * InstantX publishes IdentityNet as diffusers weights only: on first use its `ControlNetModel/` is
 * converted to the ONNX model beside it (as `instantid models pull` does), later runs find that file.
 */
export async function convertIdentityNetOnFirstUse(models: RealModels, timer: StageTimer, onProgress?: ProgressListener): Promise<void> {
  const generation = models.generation;
  if (!generation?.identityNetSource) return;
  await timer.time(
    "convert IdentityNet",
    () => convertControlNet({ dir: generation.identityNetSource!, output: generation.identityNet, onProgress }),
    (c) => `${c.tensors} tensors from ${generation.identityNetSource} (once)`,
  );
}
