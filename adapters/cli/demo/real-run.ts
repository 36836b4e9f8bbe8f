import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  convertControlNet,
  FaceAnalysis,
  loadImage,
  sdxlTextModels,
  tensor,
  workingSize,
  type Face,
  type ProgressListener,
} from "../../../core/index.js";
import { scaleKeypoints } from "../../../core/internal.js";
import { encodeSdxlPrompt } from "../../../core/internal.js";
import { REFERENCE_SCALES, type FaceInput, type GenerationInput } from "./pipeline.js";
import type { RealModels } from "./real-models.js";
import type { StageTimer } from "./timings.js";

/** The demo's prompt text; without it the prompt is "" (encoded when the export's text models are there). */
export interface DemoPrompt {
  readonly prompt?: string;
  readonly negativePrompt?: string;
}

/**
 * The prompt's conditioning: encoded with the text models of `sdxl/` (optimum's layout) when --prompt is
 * given or any of them is there (a missing one is then named in the error); otherwise SDXL's empty
 * conditioning as zeros, with a notice.
 */
async function demoConditioning(
  models: RealModels,
  text: DemoPrompt,
  timer: StageTimer,
  notices: string[],
): Promise<GenerationInput["prompt"]> {
  const textModels = sdxlTextModels(join(models.dir, "sdxl"));
  const present = Object.values(textModels).some((path) => existsSync(path));
  if (text.prompt === undefined && !present) {
    notices.push(
      "No text encoders in sdxl/ (tokenizer/, tokenizer_2/, text_encoder/, text_encoder_2/): the prompt is zero embeddings, not " +
        "CLIP's encoding of an empty prompt.",
    );
    return { embeds: tensor([1, 77, 2048]), pooled: tensor([1, 1280]) };
  }
  const prompt = { prompt: text.prompt ?? "", negativePrompt: text.negativePrompt };
  return timer.time(
    "encode prompt",
    () => encodeSdxlPrompt(textModels, prompt, { onWarning: (warning) => notices.push(warning.message) }),
    () => {
      const shown = prompt.prompt.length > 40 ? `${prompt.prompt.slice(0, 37)}...` : prompt.prompt;
      return `${JSON.stringify(shown)}${prompt.negativePrompt === undefined ? "" : " + negative"}`;
    },
  );
}

/**
 * Runs face analysis on the photo; returns the largest face on InstantID's working canvas and, when the
 * SDXL models are in the folder, the generation input with the prompt encoded by the export's text models.
 */
export async function prepareRealRun(
  models: RealModels,
  photo: string,
  settings: { outDir: string; steps: number; seed: number; guidance: number } & DemoPrompt,
  timer: StageTimer,
  notices: string[] = [],
): Promise<{ detected: Face; face: FaceInput; generation?: GenerationInput }> {
  const analysis = await timer.time("load face models", () => FaceAnalysis.create({ models: models.faceModels }));
  const image = await timer.time(
    "read photo",
    () => loadImage(photo),
    (img) => `${img.width}x${img.height}`,
  );
  const [detected] = await timer.time(
    "face analysis",
    () => analysis.analyze(image),
    (faces) => `${faces.length} face(s), using the largest`,
  );
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
    prompt: await demoConditioning(models, settings, timer, notices),
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
