import { z } from "zod";
import type { Tensor } from "../tensor/tensor.js";
import { parseOptions } from "../validate.js";
import { combineEmbeddings, noiseEmbedding } from "./embeddings.js";
import type { Resampler } from "./resampler.js";

/** The image tokens of one identity for classifier-free guidance. */
export interface ImageTokens {
  /** Resampler(embedding), [1, 16, 2048] for InstantID. */
  readonly cond: Tensor;
  /** Resampler(zeros), or Resampler(noise) when `noise` > 0. */
  readonly uncond: Tensor;
}

const tokenOptionsSchema = z.object({
  combine: z.enum(["average", "norm average", "concat"]).default("average"),
  noise: z.number().min(0).max(1).default(0),
});

/** Options of {@link computeImageTokens}. */
export type ImageTokenOptions = z.input<typeof tokenOptionsSchema>;

/**
 * Conditional and unconditional image tokens from one or more face embeddings (raw, not normalised,
 * as insightface returns them). Both go through the Resampler as one batch of two, off the event loop.
 *
 * @example
 * const { cond, uncond } = await computeImageTokens(resampler, face.embedding);
 * @param options.combine how several references are merged: "average" (default), "norm average", "concat"
 * @param options.noise ComfyUI-style noise for the negative, 0 (default: Resampler(zeros)) to 1
 */
export async function computeImageTokens(
  resampler: Resampler,
  embeddings: Float32Array | readonly Float32Array[],
  options: ImageTokenOptions = {},
): Promise<ImageTokens> {
  const { combine, noise } = parseOptions(tokenOptionsSchema, options, "image token options");
  const input = combineEmbeddings(embeddings instanceof Float32Array ? [embeddings] : embeddings, combine);
  const negative = noise > 0 ? noiseEmbedding(input, noise).data : new Float32Array(input.data.length);
  const [, count, dim] = input.shape;
  const batch = new Float32Array(2 * input.data.length);
  batch.set(input.data);
  batch.set(negative, input.data.length);
  const out = await resampler.run({ shape: [2, count, dim], data: batch });
  const [, queries, width] = out.shape;
  const half = queries * width;
  return {
    cond: { shape: [1, queries, width], data: out.data.slice(0, half) },
    uncond: { shape: [1, queries, width], data: out.data.slice(half) },
  };
}
