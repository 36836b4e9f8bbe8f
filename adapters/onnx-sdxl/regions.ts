import { ErrorCode, InstantIdError, tensor, type RegionMask, type Tensor } from "../../core/index.js";
import { maskTensor, normalizeOverlaps, resizeMaskBilinear } from "../../core/internal.js";
import type { Conditioning } from "./conditioning.js";

/** A region prompt as `generate` takes it: the region's prompt tokens [1, 77k, ctx] and where they act. */
export interface RegionPrompt {
  /** Token embeddings of the region's text, shaped like `prompt.embeds` (same text encoders, same 77·k). */
  readonly embeds: Tensor;
  /** Where the region acts: a `RegionMask` or a one-channel tensor, any size (resized to the latent), values in [0, 1]. */
  readonly mask: RegionMask | Tensor;
}

/** A region prompt ready for the loop: its UNet prompt rows and its per-latent-pixel weight. */
export interface RegionConditioning {
  /** The shared prompt's rows with the region's tokens in the cond row: [rows, 77k, ctx]. */
  readonly promptEmbeds: Tensor;
  /** The region's weight `a_r` per latent pixel (h·w): its mask resized, divided by max(1, Σ masks). */
  readonly weights: Float32Array;
}

function checkEmbeds(embeds: Tensor, like: readonly number[], i: number): void {
  if (embeds.shape.join() !== like.join()) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `regions[${i}].embeds has shape [${embeds.shape.join(", ")}] but the prompt's token embeddings are [${like.join(", ")}]. ` +
        `Encode the region's text with the same text encoders as the prompt (e.g. "shared prompt, region prompt"), padded to the ` +
        `same number of 77-token chunks.`,
    );
  }
}

function resizedMask(mask: RegionMask | Tensor, height: number, width: number, i: number): Float32Array {
  const plane = maskTensor(mask);
  const [, , h, w] = plane.shape;
  if (plane.data.length !== h * w) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `regions[${i}].mask claims ${w}x${h} but holds ${plane.data.length} values; give one value per pixel.`,
    );
  }
  const bad = plane.data.findIndex((v) => !(v >= 0 && v <= 1));
  if (bad >= 0) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `regions[${i}].mask has value ${plane.data[bad]} at pixel ${bad}; mask values must lie in [0, 1] (white = the region's ` +
        `prompt, black = the shared one).`,
    );
  }
  return h === height && w === width ? Float32Array.from(plane.data) : resizeMaskBilinear(plane, height, width);
}

/**
 * Each region's UNet prompt rows and weights on an h × w latent: masks resized bilinearly
 * (align_corners false, as ComfyUI resizes conditioning masks) and divided, per pixel, by
 * max(1, Σ masks) — so regions share pixels where they overlap past 1, and the shared prompt keeps
 * the remainder max(0, 1 − Σ masks) (see {@link blendRegions}).
 * @throws InstantIdError SHAPE_MISMATCH for embeddings shaped unlike the prompt's or a mask of the wrong size; INVALID_INPUT for mask
 * values outside [0, 1].
 */
export function buildRegionConditioning(
  regions: readonly RegionPrompt[],
  conditioning: Conditioning,
  height: number,
  width: number,
): RegionConditioning[] {
  const { promptEmbeds, rows } = conditioning;
  const rowSize = promptEmbeds.data.length / rows.length;
  const like = [1, ...promptEmbeds.shape.slice(1)];
  const resized = regions.map((region, i) => {
    checkEmbeds(region.embeds, like, i);
    return { width, height, data: resizedMask(region.mask, height, width, i) };
  });
  const masks = resized.length ? normalizeOverlaps(resized).map((m) => m.data) : [];
  const condRow = rows.indexOf("cond");
  return regions.map((region, i) => {
    const data = Float32Array.from(promptEmbeds.data);
    data.set(region.embeds.data, condRow * rowSize);
    return { promptEmbeds: tensor([...promptEmbeds.shape], data), weights: masks[i] };
  });
}

/**
 * Blends the region passes into the shared pass's cond row: per latent pixel p and channel,
 * `cond = shared + Σ_r a_r(p)·(pred_r − shared)`, i.e. `(1 − Σ a_r)·shared + Σ a_r·pred_r`. The
 * uncond row stays the shared pass's. Written as a correction of `shared`, so a region whose
 * prediction equals the shared one changes nothing, to the bit.
 */
export function blendRegions(shared: Tensor, predictions: readonly Tensor[], regions: readonly RegionConditioning[]): Tensor {
  const [rows, channels] = shared.shape;
  const plane = regions[0]?.weights.length ?? 0;
  const condStart = (rows - 1) * channels * plane;
  const out = Float32Array.from(shared.data);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const at = condStart + c * plane + p;
      const base = shared.data[at];
      let value = base;
      for (let r = 0; r < regions.length; r++) value += regions[r].weights[p] * (predictions[r].data[at] - base);
      out[at] = value;
    }
  }
  return tensor([...shared.shape], out);
}
