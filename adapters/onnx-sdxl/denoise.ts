import {
  ErrorCode,
  InstantIdError,
  composeHooks,
  tensor,
  type GenerationHook,
  type ProgressListener,
  type UnetModel,
} from "../../core/index.js";
import { repeatRows, type Conditioning } from "./conditioning.js";
import type { Rng } from "./random.js";
import type { Scheduler } from "./schedulers/types.js";
import type { RegionConditioning } from "./regions.js";
import { callUnetWithRegions, guide } from "./unet-step.js";
import { isPreviewStep, stepPreview } from "./latent-preview.js";

/** Everything the denoising loop needs; the latent is already noised to `startIndex`. */
export interface DenoiseInput {
  readonly unet: UnetModel;
  readonly hooks: readonly GenerationHook[];
  readonly scheduler: Scheduler;
  readonly conditioning: Conditioning;
  /** Region prompts (`buildRegionConditioning`); each adds one UNet pass per step, the hooks are still asked once. */
  readonly regions?: readonly RegionConditioning[];
  /** [1, 4, h, w] and its values. */
  readonly latentShape: readonly number[];
  readonly latent: Float32Array;
  /** First scheduler step to run (0 for txt2img; later for img2img). */
  readonly startIndex: number;
  readonly guidance: number;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /**
   * Attach a preview (SDXL's latent → RGB approximation, 1/8 size) to the progress event every this many steps and at the last; 0 or unset:
   * none.
   */
  readonly previewEvery?: number;
}

/** Throws the SDK's abort error when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new InstantIdError(ErrorCode.Aborted, "Generation was cancelled (its AbortSignal fired).", { cause: signal.reason });
}

/**
 * The denoising loop: hooks prepared once, then per step the scaled latent goes through one UNet
 * call on the guidance batch (hooks asked before each call), plus one per region prompt with the
 * same hook contribution (`callUnetWithRegions`); guidance combines the rows, and the scheduler takes
 * the step. Hooks are composed (`composeHooks`: duplicate names refused, the last one outermost)
 * and reset however the loop ends. Returns the final latent.
 */
export async function denoise(input: DenoiseInput): Promise<Float32Array> {
  const { unet, hooks, scheduler, conditioning, latentShape, guidance, signal } = input;
  const [, , h, w] = latentShape;
  const total = scheduler.timesteps.length - input.startIndex;
  let latent = input.latent;
  const hook = composeHooks(...hooks);
  try {
    await hook.prepare({ rows: conditioning.rows, width: w * 8, height: h * 8, steps: total, signal });
    for (let i = input.startIndex; i < scheduler.timesteps.length; i++) {
      throwIfAborted(signal);
      const modelInput = scheduler.scaleModelInput(latent, i);
      const sample = repeatRows(modelInput, conditioning.rows.length, latentShape);
      const prediction = await callUnetWithRegions(
        unet,
        hook,
        {
          index: i - input.startIndex,
          total,
          sample,
          timestep: tensor([1], [scheduler.timesteps[i]]),
          promptEmbeds: conditioning.promptEmbeds,
          textEmbeds: conditioning.textEmbeds,
          timeIds: conditioning.timeIds,
        },
        input.regions ?? [],
      );
      const noise = conditioning.rows.length === 2 ? guide(prediction, guidance).guided : prediction.data;
      latent = scheduler.step(noise, i, latent, input.rng);
      if (input.onProgress) {
        const completed = i - input.startIndex + 1;
        const preview = isPreviewStep(input.previewEvery, completed, total)
          ? await stepPreview(modelInput, noise, scheduler.timesteps[i], h, w)
          : undefined;
        input.onProgress({ stage: "denoise", completed, total, ...(preview && { preview }) });
      }
    }
    throwIfAborted(signal);
    return latent;
  } finally {
    hook.reset();
  }
}
