import { tensor, type Tensor } from "../tensor/tensor.js";
import type { CombineMode, Identity } from "./identity.js";

/** Mean of raw vectors, each dimension on its own. */
export function meanEmbedding(embeddings: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(embeddings[0].length);
  for (const e of embeddings) for (let d = 0; d < out.length; d++) out[d] += e[d];
  for (let d = 0; d < out.length; d++) out[d] /= embeddings.length;
  return out;
}

/** ComfyUI_InstantID's "norm average": every dimension divided by its norm across the references, then averaged. */
function normAverage(embeddings: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(embeddings[0].length);
  for (let d = 0; d < out.length; d++) {
    let squares = 0;
    for (const e of embeddings) squares += e[d] * e[d];
    const norm = Math.sqrt(squares);
    if (norm === 0) continue;
    let sum = 0;
    for (const e of embeddings) sum += e[d] / norm;
    out[d] = sum / embeddings.length;
  }
  return out;
}

/** The token vectors an identity hands to the Resampler under a combine mode: one, or one per reference for `concat`. */
export function combineEmbeddings(embeddings: readonly Float32Array[], mode: CombineMode): Float32Array[] {
  if (embeddings.length === 1 || mode === "concat") return embeddings.map((e) => Float32Array.from(e));
  return [mode === "average" ? meanEmbedding(embeddings) : normAverage(embeddings)];
}

/**
 * The Image Adapter's input for an identity: a [1, N, D] tensor of its combined
 * embeddings (N = 1 unless the identity concatenates its references).
 * @example const embeds = identityEmbeds(identity); // shape [1, 1, 512]
 */
export function identityEmbeds(identity: Identity): Tensor {
  const tokens = combineEmbeddings(identity.embeddings, identity.combine);
  const dimension = tokens[0].length;
  const data = new Float32Array(tokens.length * dimension);
  tokens.forEach((t, i) => data.set(t, i * dimension));
  return tensor([1, tokens.length, dimension], data);
}
