import { z } from "zod";
import type { ProgressPreview, RgbImage, Tensor } from "../../core/index.js";
import { parseOptions, previewFromImage } from "../../core/internal.js";
import { alphasCumprod } from "./schedulers/noise-schedule.js";
import { SDXL_TRAINING } from "./schedulers/types.js";

/**
 * A rough picture of a latent [1, C, h, w] when no VAE decoder is given (tiny test models): the
 * first three channels, each stretched to its own min–max, as RGB, upscaled ×8 by repetition.
 * It shows structure, not colours; label it as a preview.
 */
export function latentPreview(latent: Tensor): RgbImage {
  const [, channels, h, w] = latent.shape;
  const plane = h * w;
  const width = w * 8;
  const height = h * 8;
  const data = new Uint8Array(width * height * 3);
  for (let c = 0; c < 3; c++) {
    const source = latent.data.subarray(Math.min(c, channels - 1) * plane, (Math.min(c, channels - 1) + 1) * plane);
    let min = Infinity;
    let max = -Infinity;
    for (const v of source) (min = Math.min(min, v)), (max = Math.max(max, v));
    const range = max - min || 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = (source[Math.floor(y / 8) * w + Math.floor(x / 8)] - min) / range;
        data[(y * width + x) * 3 + c] = Math.round(v * 255);
      }
    }
  }
  return { width, height, data };
}

/**
 * SDXL's latent → RGB linear approximation (rows: latent channels; columns: R, G, B), the factors ComfyUI's
 * Latent2RGB previewer uses for SDXL (comfy/latent_formats.py), fitted to the VAE on scaled latents.
 */
const SDXL_RGB_FACTORS = [
  [0.3651, 0.4232, 0.4341],
  [-0.2533, -0.0042, 0.1068],
  [0.1076, 0.1111, -0.0362],
  [-0.3165, -0.2492, -0.2188],
] as const;
const SDXL_RGB_BIAS = [0.1084, -0.0175, -0.0011] as const;

/**
 * The colours a scaled SDXL latent [1, 4, h, w] roughly decodes to, at latent resolution (one pixel per
 * latent cell, 1/8 of the image's side): a few multiply-adds per pixel instead of a VAE run.
 */
export function approximateRgb(latent: Float32Array, h: number, w: number): RgbImage {
  const plane = h * w;
  const data = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      let v = SDXL_RGB_BIAS[c];
      for (let k = 0; k < 4; k++) v += latent[k * plane + p] * SDXL_RGB_FACTORS[k][c];
      data[p * 3 + c] = Math.round(Math.min(Math.max((v + 1) / 2, 0), 1) * 255);
    }
  }
  return { width: w, height: h, data };
}

let cumprod: Float64Array | undefined;

/**
 * The clean latent the UNet's noise prediction points to at this step: x₀ = (x − √(1−ᾱ_t)·ε)/√ᾱ_t, with x the
 * UNet's input (every scheduler scales its latent to the training form the UNet expects at timestep t). Early
 * steps show the picture taking shape rather than the noise the current latent still is.
 */
export function predictedClean(modelInput: Float32Array, noise: Float32Array, timestep: number): Float32Array {
  cumprod ??= alphasCumprod(SDXL_TRAINING);
  const alpha = cumprod[Math.min(Math.max(Math.round(timestep), 0), cumprod.length - 1)];
  const a = 1 / Math.sqrt(alpha);
  const b = Math.sqrt(1 - alpha) / Math.sqrt(alpha);
  const out = new Float32Array(modelInput.length);
  for (let i = 0; i < out.length; i++) out[i] = a * modelInput[i] - b * noise[i];
  return out;
}

const previewEverySchema = z.number().int().min(0).optional();

/** `previewEvery` checked: a whole number of steps, 0 or more (or unset). @throws InstantIdError INVALID_OPTION */
export function checkPreviewEvery(value: unknown): number | undefined {
  return parseOptions(previewEverySchema, value, "previewEvery (steps between previews)");
}

/** True on the steps that carry a preview: every `every` steps and the last one; never when `every` is 0 or unset. */
export function isPreviewStep(every: number | undefined, completed: number, total: number): boolean {
  return every !== undefined && every > 0 && (completed % every === 0 || completed === total);
}

/** The step's preview: the predicted clean latent through {@link approximateRgb}, PNG-encoded. */
export function stepPreview(
  modelInput: Float32Array,
  noise: Float32Array,
  timestep: number,
  h: number,
  w: number,
): Promise<ProgressPreview> {
  return previewFromImage(approximateRgb(predictedClean(modelInput, noise, timestep), h, w));
}
