import { join } from "node:path";
import { DEFAULT_ADAPTER_SCALE, DEFAULT_IDENTITYNET_SCALE } from "../../../core/internal.js";
import {
  Resampler,
  computeImageTokens,
  createIdentityNetHook,
  createImageAdapterHook,
  loadControlNet,
  loadImageAdapter,
  patchImageAdapter,
  renderKeypoints,
  savePng,
  type FiveKeypoints,
  type ImageAdapterWeights,
  type ImageTokens,
  type ProgressListener,
  type RgbImage,
  type Tensor,
} from "../../../core/index.js";
import { generate } from "../../onnx-sdxl/generate.js";
import type { StageTimer } from "./timings.js";

/** One face on the output canvas and the Image Adapter that turns its embedding into tokens. */
export interface FaceInput {
  /** Keypoints on the output canvas (`width` × `height`, multiples of 8). */
  readonly keypoints: FiveKeypoints;
  readonly width: number;
  readonly height: number;
  /** The raw face embedding [512]. */
  readonly embedding: Float32Array;
  readonly imageAdapter: string;
  readonly outDir: string;
}

/** What a generation needs besides the face: models, the prompt and the sampler settings. */
export interface GenerationInput {
  readonly models: { readonly unet: string; readonly identityNet: string; readonly vaeDecoder: string };
  /** Text conditioning: tokens [1, 77, ctx] and pooled [1, d], and the negative's (zeros when absent). */
  readonly prompt: { readonly embeds: Tensor; readonly pooled: Tensor; readonly negativeEmbeds?: Tensor; readonly negativePooled?: Tensor };
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number;
  readonly adapterScale: number;
  readonly identityNetScale: number;
  readonly vaeScalingFactor: number;
}

/** InstantID's recommended scales (README, infer.py) and SDXL's VAE scaling factor, shared by both demo modes. */
export const REFERENCE_SCALES = {
  adapterScale: DEFAULT_ADAPTER_SCALE,
  identityNetScale: DEFAULT_IDENTITYNET_SCALE,
  vaeScalingFactor: 0.13025,
} as const;

/** The face stages' results. */
export interface PreparedFace {
  readonly keypointImage: RgbImage;
  readonly keypointPath: string;
  readonly adapter: ImageAdapterWeights;
  readonly tokens: ImageTokens;
}

/** Keypoint image (written to kps.png) and face tokens, each stage timed. */
export async function prepareFace(face: FaceInput, timer: StageTimer): Promise<PreparedFace> {
  const keypointImage = await timer.time(
    "keypoint image",
    () => renderKeypoints(face.keypoints, { width: face.width, height: face.height }),
    (img) => `${img.width}x${img.height}`,
  );
  const keypointPath = join(face.outDir, "kps.png");
  await savePng(keypointPath, keypointImage);
  const adapter = await timer.time(
    "load image adapter",
    () => loadImageAdapter(face.imageAdapter),
    (a) => `${a.ipLayers.size} attention layers`,
  );
  const tokens = await timer.time(
    "face tokens",
    () => computeImageTokens(Resampler.fromWeights(adapter.imageProj), face.embedding),
    (t) => `[${t.cond.shape.join(", ")}]`,
  );
  return { keypointImage, keypointPath, adapter, tokens };
}

/**
 * UNet patched (ControlNet residual inputs and the image attention, one model cached beside the export) →
 * IdentityNet + denoising steps → decoded image (written to output.png); returns its path and the patched block count.
 */
export async function generateImage(
  face: FaceInput,
  prepared: PreparedFace,
  input: GenerationInput,
  timer: StageTimer,
  onProgress?: ProgressListener,
) {
  const patched = await timer.time(
    "patch UNet",
    () => patchImageAdapter(input.models.unet, prepared.adapter, { controlNetResiduals: true }),
    (p) => `${p.blocks.length} attn2 blocks, ${p.residuals?.down.length ?? 0} + 1 residual inputs${p.cached ? ", cached" : ""}`,
  );
  const identityNet = await timer.time("load IdentityNet", () => loadControlNet(input.models.identityNet));
  const face0 = { faceTokens: prepared.tokens.cond, uncondFaceTokens: prepared.tokens.uncond };
  const hooks = [
    createIdentityNetHook({
      model: identityNet,
      identities: [{ ...face0, keypointImage: prepared.keypointImage, identityNetScale: input.identityNetScale }],
    }),
    createImageAdapterHook({ identities: [{ ...face0, adapterScale: input.adapterScale }], inputNames: patched.inputs }),
  ];
  const { image } = await timer.time(
    "denoise + decode",
    () =>
      generate(
        {
          models: { unet: patched.modelPath!, vaeDecoder: input.models.vaeDecoder },
          prompt: input.prompt,
          width: face.width,
          height: face.height,
          steps: input.steps,
          guidance: input.guidance,
          scheduler: "euler",
          seed: input.seed,
          vaeScalingFactor: input.vaeScalingFactor,
        },
        { hooks, onProgress },
      ),
    (result) => `${input.steps} Euler steps (${Math.round(result.timings.denoiseMs)} ms), guidance ${input.guidance}`,
  );
  const output = join(face.outDir, "output.png");
  await savePng(output, image);
  return { output, patchedBlocks: patched.blocks.length };
}
