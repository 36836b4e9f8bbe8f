import { randomInt } from "node:crypto";
import {
  ErrorCode,
  InstantIdError,
  tensor,
  type GenerationHook,
  type ProgressListener,
  type RgbImage,
  type Tensor,
} from "../../core/index.js";
import { parseOptions, SessionPool } from "../../core/internal.js";
import { buildConditioning } from "./conditioning.js";
import { fitControlImage, type GenerateWarning } from "./control-size.js";
import { denoise, throwIfAborted } from "./denoise.js";
import { createInstantIdHook } from "./instantid-hook.js";
import { checkPreviewEvery, latentPreview } from "./latent-preview.js";
import { buildRegionConditioning } from "./regions.js";
import { generateOptionsSchema, outputSize, type GenerateOptions, type ResolvedGenerateOptions } from "./options.js";
import { createRng, type Rng } from "./random.js";
import { createScheduler } from "./schedulers/index.js";
import { resolvePrompt } from "./text-prompt.js";
import type { Scheduler } from "./schedulers/types.js";
import { pooledUnet } from "./unet.js";
import { decodeLatent, encodeImage } from "./vae.js";

/** What a generation returns. */
export interface GenerateResult {
  /** The final latent [1, 4, H/8, W/8] (before VAE scaling is undone). */
  readonly latent: Tensor;
  /** The decoded image, or a latent preview when no VAE decoder was given (`decoded` false). */
  readonly image: RgbImage;
  readonly decoded: boolean;
  /** The seed used (the one given, or the random one drawn). */
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  /**
   * Wall time of the denoising loop and of the whole call, and the part of it spent opening
   * sessions (0 when a long-lived runner had them open already), in milliseconds.
   */
  readonly timings: { readonly denoiseMs: number; readonly totalMs: number; readonly sessionMs: number };
  /** What the runner changed that the caller may not expect (a resized keypoint image, a truncated prompt...). */
  readonly warnings: readonly GenerateWarning[];
}

/** Per-call settings that are not plain data: hooks, progress and cancellation. */
export interface GenerateControls {
  readonly hooks?: readonly GenerationHook[];
  readonly onProgress?: ProgressListener;
  /**
   * A preview on the progress event every this many denoising steps and at the last: SDXL's latent → RGB
   * approximation of the predicted clean latent, PNG at 1/8 of the output's side (no VAE run). Default 0: none.
   */
  readonly previewEvery?: number;
  readonly signal?: AbortSignal;
  /**
   * Where sessions come from: a long-lived runner's pool (`createRunner`), which keeps them open
   * between generations. Without one, the call opens its sessions and releases them when done.
   */
  readonly sessions?: SessionPool;
}

async function startLatent(
  options: ResolvedGenerateOptions,
  scheduler: Scheduler,
  shape: number[],
  noise: Float32Array,
  sessions: SessionPool,
): Promise<{ latent: Float32Array; startIndex: number }> {
  if (!options.init) return { latent: noise.map((v) => v * scheduler.initNoiseSigma), startIndex: 0 };
  const clean = options.init.latent ?? (await encodeInit(options, sessions));
  if (clean.shape.join() !== shape.join()) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `The img2img start latent is [${clean.shape.join(", ")}] but this size needs [${shape.join(", ")}].`,
    );
  }
  // diffusers' img2img: skip the first (1 − strength) of the schedule, noise the clean latent to that step.
  const steps = scheduler.timesteps.length;
  const startIndex = steps - Math.min(Math.floor(steps * options.init.strength), steps);
  if (startIndex >= steps) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `init.strength ${options.init.strength} leaves no step of ${steps} to run; raise strength or steps.`,
    );
  }
  return { latent: scheduler.addNoise(clean.data, noise, startIndex), startIndex };
}

/** The given `latents` (checked against the output size), or noise drawn from the seed. */
function initialNoise(options: ResolvedGenerateOptions, rng: Rng, shape: number[]): Float32Array {
  if (!options.latents) return rng.gaussian(shape.reduce((a, b) => a * b));
  if (options.latents.shape.join() !== shape.join()) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `The given latents are [${options.latents.shape.join(", ")}] but a ${shape[3] * 8}×${shape[2] * 8} image needs ` +
        `[${shape.join(", ")}].`,
    );
  }
  return options.latents.data;
}

async function encodeInit(options: ResolvedGenerateOptions, sessions: SessionPool): Promise<Tensor> {
  if (!options.models.vaeEncoder) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      "init.image needs models.vaeEncoder (an ONNX VAE encoder); or pass init.latent instead.",
    );
  }
  return encodeImage(await sessions.open(options.models.vaeEncoder, "VAE encoder"), options.init!.image!, options.vaeScalingFactor);
}

/** InstantID's options with each keypoint image at the output size (diffusers' prepare_image). */
function fitInstantId(
  options: ResolvedGenerateOptions,
  size: { width: number; height: number },
  warnings: GenerateWarning[],
): ResolvedGenerateOptions["instantId"] {
  const instantId = options.instantId;
  if (!instantId) return undefined;
  return {
    ...instantId,
    faces: instantId.faces.map((face) => ({ ...face, keypointImage: fitControlImage(face.keypointImage, size, warnings) })),
  };
}

/**
 * Runs one SDXL generation in this thread (ONNX Runtime blocks the event loop while the UNet runs:
 * servers should use `createRunner` or `generateInWorker`). Options are validated here, once.
 * Sessions come from `controls.sessions` (a long-lived runner's pool) or are opened for this call
 * and released at its end.
 */
export async function generate(input: GenerateOptions, controls: GenerateControls = {}): Promise<GenerateResult> {
  const options = parseOptions(generateOptionsSchema, input, "generate options");
  checkPreviewEvery(controls.previewEvery);
  throwIfAborted(controls.signal);
  const sessions = controls.sessions ?? new SessionPool({ intraOpThreads: options.intraOpThreads });
  try {
    return await generateWith(options, controls, sessions);
  } finally {
    // SDXL sessions hold gigabytes of native memory that JavaScript's GC does not see.
    if (!controls.sessions) await sessions.close();
  }
}

async function generateWith(options: ResolvedGenerateOptions, controls: GenerateControls, sessions: SessionPool): Promise<GenerateResult> {
  const started = performance.now();
  const openedBefore = sessions.opened.length;
  const warnings: GenerateWarning[] = [];
  const size = outputSize(options);
  const seed = options.seed ?? randomInt(0, 0xffffffff);
  const rng = createRng(seed);
  const shape = [1, 4, size.height / 8, size.width / 8];
  const scheduler = createScheduler(options.scheduler, options.steps);
  const { latent: start, startIndex } = await startLatent(options, scheduler, shape, initialNoise(options, rng, shape), sessions);
  const prompt = await resolvePrompt(options, warnings, controls.onProgress);
  const unet = await pooledUnet(sessions, options.models.unet);
  const instantIdOptions = fitInstantId(options, size, warnings);
  const instantId = instantIdOptions ? await createInstantIdHook(instantIdOptions, { sessions }) : undefined;
  const conditioning = buildConditioning(options, size, prompt);
  const regions = buildRegionConditioning(options.regions ?? [], conditioning, shape[2], shape[3]);
  const denoiseStart = performance.now();
  const final = await denoise({
    unet,
    hooks: [...(instantId ? [instantId] : []), ...(controls.hooks ?? [])],
    scheduler,
    conditioning,
    regions,
    latentShape: shape,
    latent: start,
    startIndex,
    guidance: options.guidance,
    rng,
    signal: controls.signal,
    onProgress: controls.onProgress,
    previewEvery: controls.previewEvery,
  });
  const denoiseMs = performance.now() - denoiseStart;
  const latent = tensor(shape, final);
  const decoder = options.models.vaeDecoder;
  const image = decoder
    ? await decodeLatent(await sessions.open(decoder, "VAE decoder"), latent, options.vaeScalingFactor)
    : latentPreview(latent);
  const sessionMs = sessions.opened.slice(openedBefore).reduce((sum, o) => sum + o.ms, 0);
  return {
    latent,
    image,
    decoded: Boolean(decoder),
    seed,
    ...size,
    timings: { denoiseMs, totalMs: performance.now() - started, sessionMs },
    warnings,
  };
}
