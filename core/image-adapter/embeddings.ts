import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Mt19937 } from "./mt19937.js";

/** How several reference embeddings become the Resampler's input. */
export type CombineEmbeddings = "average" | "norm average" | "concat";

/**
 * Combines reference face embeddings into the Resampler input [1, N, dim]: `average` (the default,
 * as the paper does) gives N = 1; `norm average` divides each feature by its norm across the
 * references before averaging (ComfyUI_InstantID's definition); `concat` keeps them as N tokens
 * (InstantID's code).
 */
export function combineEmbeddings(embeddings: readonly Float32Array[], mode: CombineEmbeddings = "average"): Tensor {
  if (embeddings.length === 0) throw new InstantIdError(ErrorCode.InvalidInput, "No face embeddings were given; detect a face first");
  const dim = embeddings[0].length;
  for (const e of embeddings) {
    if (e.length !== dim)
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `Face embeddings differ in length (${dim} and ${e.length}); they must come from the same recognizer`,
      );
  }
  if (embeddings.length === 1 || mode === "concat") {
    const data = new Float32Array(embeddings.length * dim);
    embeddings.forEach((e, i) => data.set(e, i * dim));
    return { shape: [1, embeddings.length, dim], data };
  }
  const data = new Float32Array(dim);
  for (let f = 0; f < dim; f++) {
    let norm = 1;
    if (mode === "norm average") {
      let squares = 0;
      for (const e of embeddings) squares += e[f] * e[f];
      norm = Math.sqrt(squares);
    }
    let sum = 0;
    for (const e of embeddings) sum += e[f] / norm;
    data[f] = sum / embeddings.length;
  }
  return { shape: [1, 1, dim], data };
}

/**
 * ComfyUI_InstantID's negative embedding: `strength × U[0,1)` per element, drawn from MT19937 seeded
 * with `trunc(sum(embedding)) mod 1000000007` exactly as torch.manual_seed + torch.rand draw it.
 * (The seed comes from a float64 sum; torch sums in float32, which can differ when the sum is within
 * rounding of an integer.)
 */
export function noiseEmbedding(embedding: Tensor, strength: number): Tensor {
  let sum = 0;
  for (const v of embedding.data) sum += v;
  const modulus = 1000000007;
  const seed = ((Math.trunc(sum) % modulus) + modulus) % modulus;
  const random = new Mt19937(seed);
  const data = new Float32Array(embedding.data.length);
  for (let i = 0; i < data.length; i++) data[i] = strength * random.nextFloat24();
  return { shape: [...embedding.shape], data };
}
