import { randomInt } from "node:crypto";
import { ErrorCode, InstantIdError, parseOptions, tensor, type GenerationHook, type ProgressListener, type RgbImage, type Tensor } from "../../core/index.js";
import { buildConditioning } from "./conditioning.js";
import { denoise, throwIfAborted } from "./denoise.js";
import { createInstantIdHook, type InstantIdHook } from "./instantid-hook.js";
import { latentPreview } from "./latent-preview.js";
import { buildRegionConditioning } from "./regions.js";
import { generateOptionsSchema, outputSize, type GenerateOptions, type ResolvedGenerateOptions } from "./options.js";
import { createRng, type Rng } from "./random.js";
import { createScheduler } from "./schedulers/index.js";
import { resolvePrompt } from "./text-prompt.js";
import type { Scheduler } from "./schedulers/types.js";
import { openUnet } from "./unet.js";
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
  /** Wall time of the denoising loop and of the whole call, in milliseconds. */
  readonly timings: { readonly denoiseMs: number; readonly totalMs: number };
  /** Things the caller should know, e.g. a text prompt longer than CLIP's 77 tokens was truncated. */
  readonly warnings: readonly string[];
}

/** Per-call settings that are not plain data: hooks, progress and cancellation. */
export interface GenerateControls {
  readonly hooks?: readonly GenerationHook[];
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

async function startLatent(
  options: ResolvedGenerateOptions,
  scheduler: Scheduler,
  shape: number[],
  noise: Float32Array,
): Promise<{ latent: Float32Array; startIndex: number }> {
  if (!options.init) return { latent: noise.map((v) => v * scheduler.initNoiseSigma), startIndex: 0 };
  const clean = options.init.latent ?? (await encodeInit(options));
  if (clean.shape.join() !== shape.join()) {
    throw new InstantIdError(ErrorCode.ShapeMismatch, `The img2img start latent is [${clean.shape.join(", ")}] but this size needs [${shape.join(", ")}].`);
  }
  // diffusers' img2img: skip the first (1 − strength) of the schedule, noise the clean latent to that step.
  const steps = scheduler.timesteps.length;
  const startIndex = steps - Math.min(Math.floor(steps * options.init.strength), steps);
  if (startIndex >= steps) {
    throw new InstantIdError(ErrorCode.InvalidOption, `init.strength ${options.init.strength} leaves no step of ${steps} to run; raise strength or steps.`);
  }
  return { latent: scheduler.addNoise(clean.data, noise, startIndex), startIndex };
}

/** The given `latents` (checked against the output size), or noise drawn from the seed. */
function initialNoise(options: ResolvedGenerateOptions, rng: Rng, shape: number[]): Float32Array {
  if (!options.latents) return rng.gaussian(shape.reduce((a, b) => a * b));
  if (options.latents.shape.join() !== shape.join()) {
    throw new InstantIdError(ErrorCode.ShapeMismatch, `The given latents are [${options.latents.shape.join(", ")}] but a ${shape[3] * 8}×${shape[2] * 8} image needs [${shape.join(", ")}].`);
  }
  return options.latents.data;
}

async function encodeInit(options: ResolvedGenerateOptions): Promise<Tensor> {
  if (!options.models.vaeEncoder) {
    throw new InstantIdError(ErrorCode.InvalidOption, "init.image needs models.vaeEncoder (an ONNX VAE encoder); or pass init.latent instead.");
  }
  return encodeImage(options.models.vaeEncoder, options.init!.image!, options.vaeScalingFactor);
}

/**
 * Runs one SDXL generation in this thread (ONNX Runtime blocks the event loop while the UNet runs:
 * servers should use `generateInWorker`). Options are validated here, once.
 */
export async function generate(input: GenerateOptions, controls: GenerateControls = {}): Promise<GenerateResult> {
  const started = performance.now();
  const options = parseOptions(generateOptionsSchema, input, "generate options");
  throwIfAborted(controls.signal);
  const size = outputSize(options);
  const seed = options.seed ?? randomInt(0, 0xffffffff);
  const rng = createRng(seed);
  const shape = [1, 4, size.height / 8, size.width / 8];
  const scheduler = createScheduler(options.scheduler, options.steps);
  const { latent: start, startIndex } = await startLatent(options, scheduler, shape, initialNoise(options, rng, shape));
  const warnings: string[] = [];
  const prompt = await resolvePrompt(options, warnings, controls.onProgress);
  const unet = await openUnet(options.models.unet, { intraOpThreads: options.intraOpThreads });
  let instantId: InstantIdHook | undefined;
  let final: Float32Array;
  let denoiseMs: number;
  try {
    instantId = options.instantId ? await createInstantIdHook(options.instantId) : undefined;
    const conditioning = buildConditioning(options, size, prompt);
    const regions = buildRegionConditioning(options.regions ?? [], conditioning, shape[2], shape[3]);
    const denoiseStart = performance.now();
    final = await denoise({
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
    });
    denoiseMs = performance.now() - denoiseStart;
  } finally {
    // SDXL sessions hold gigabytes of native memory that JavaScript's GC does not see.
    await Promise.all([unet.session.release(), instantId?.release()]);
  }
  const latent = tensor(shape, final);
  const image = options.models.vaeDecoder ? await decodeLatent(options.models.vaeDecoder, latent, options.vaeScalingFactor) : latentPreview(latent);
  return { latent, image, decoded: Boolean(options.models.vaeDecoder), seed, ...size, timings: { denoiseMs, totalMs: performance.now() - started }, warnings };
}
