import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

/** The perceiver Resampler's hyper-parameters (InstantID: 1280, 4, 64, 20, 16, 512, 2048, ff 5120). */
export interface ResamplerConfig {
  readonly dim: number;
  readonly depth: number;
  readonly dimHead: number;
  readonly heads: number;
  readonly numQueries: number;
  readonly embeddingDim: number;
  readonly outputDim: number;
  /** Hidden width of each FeedForward (dim × ff_mult). */
  readonly ffInner: number;
}

/** Options for {@link inferResamplerConfig}. */
export interface ResamplerConfigOptions {
  /**
   * Attention heads. Tensor shapes fix heads × dim_head but not the split; the default assumes
   * dim_head 64, as InstantID and IP-Adapter configure it.
   */
  readonly heads?: number;
}

function shapeOf(weights: ReadonlyMap<string, Tensor>, name: string): readonly number[] {
  const t = weights.get(name);
  if (!t) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The Resampler weights lack image_proj.${name}; the checkpoint is not an InstantID Image Adapter or is incomplete`,
    );
  }
  return t.shape;
}

/** Reads the Resampler's configuration from its tensor shapes, so smaller or larger checkpoints work unchanged. */
export function inferResamplerConfig(weights: ReadonlyMap<string, Tensor>, options: ResamplerConfigOptions = {}): ResamplerConfig {
  const [, numQueries, dim] = shapeOf(weights, "latents");
  const [, embeddingDim] = shapeOf(weights, "proj_in.weight");
  const [outputDim] = shapeOf(weights, "proj_out.weight");
  let depth = 0;
  while (weights.has(`layers.${depth}.0.to_q.weight`)) depth++;
  if (depth === 0)
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      "The Resampler weights have no layers.0.0.to_q.weight; the checkpoint is not an InstantID Image Adapter",
    );
  const [inner] = shapeOf(weights, "layers.0.0.to_q.weight");
  const [ffInner] = shapeOf(weights, "layers.0.1.1.weight");
  const heads = options.heads ?? inner / 64;
  if (!Number.isInteger(heads) || heads <= 0 || inner % heads !== 0) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `The Resampler's attention width ${inner} cannot be split into ${options.heads ?? "64-wide"} heads; pass heads explicitly ` +
        `(a divisor of ${inner})`,
    );
  }
  return { dim, depth, dimHead: inner / heads, heads, numQueries, embeddingDim, outputDim, ffInner };
}
