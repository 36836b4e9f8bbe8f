import { combineEmbeddings } from "../image-adapter/embeddings.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Identity } from "./identity.js";

/**
 * The Image Adapter's input for an identity: a [1, N, D] tensor of its
 * embeddings combined by its mode (N = 1 unless it concatenates its references),
 * ready for the Resampler or `computeImageTokens`.
 * @example const embeds = identityEmbeds(identity); // shape [1, 1, 512]
 */
export function identityEmbeds(identity: Identity): Tensor {
  return combineEmbeddings(identity.embeddings, identity.combine);
}
