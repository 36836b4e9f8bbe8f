import { ErrorCode, InstantIdError } from "../errors.js";
import type { Identity, ModelRef } from "./identity.js";

/** Mean of raw vectors, each dimension on its own. */
function meanEmbedding(embeddings: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(embeddings[0].length);
  for (const e of embeddings) for (let d = 0; d < out.length; d++) out[d] += e[d];
  for (let d = 0; d < out.length; d++) out[d] /= embeddings.length;
  return out;
}

function sameModels(a: readonly ModelRef[], b: readonly ModelRef[]): boolean {
  const key = (models: readonly ModelRef[]) =>
    models
      .map((m) => `${m.name}:${m.sha256}`)
      .sort()
      .join("|");
  return key(a) === key(b);
}

function assertWeights(weights: readonly number[], count: number): number[] {
  if (count < 2) throw new InstantIdError(ErrorCode.InvalidInput, `Mixing needs two or more identities but received ${count}`);
  if (weights.length !== count) {
    throw new InstantIdError(ErrorCode.InvalidInput, `Expected one weight per identity (${count}) but received ${weights.length}`);
  }
  if (!weights.every((w) => Number.isFinite(w) && w >= 0)) {
    throw new InstantIdError(ErrorCode.InvalidInput, `Mix weights must be finite and non-negative but received ${weights.join(", ")}`);
  }
  // Scaled by the largest first: the sum of finite weights such as 1e308 + 1e308 would overflow to Infinity.
  const largest = Math.max(...weights);
  if (largest <= 0) throw new InstantIdError(ErrorCode.InvalidInput, "Mix weights must not all be zero");
  const scaled = weights.map((w) => w / largest);
  const total = scaled.reduce((a, b) => a + b, 0);
  return scaled.map((w) => w / total);
}

/**
 * Identity interpolation (the paper's Figure 11): the weighted sum of each
 * identity's mean raw embedding, weights normalised to sum to 1. The result
 * keeps the keypoint sources of the most heavily weighted identity.
 * @throws InstantIdError SHAPE_MISMATCH for different embedding sizes, INVALID_INPUT for bad weights or identities made by different
 * models.
 * @example const blend = mixIdentities([alice, bob], [0.7, 0.3]);
 */
export function mixIdentities(identities: readonly Identity[], weights: readonly number[]): Identity {
  const normalised = assertWeights(weights, identities.length);
  const dimension = identities[0].embeddings[0].length;
  identities.forEach((identity, i) => {
    const size = identity.embeddings[0].length;
    if (size !== dimension) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `Identity ${i} has ${size}-value embeddings but identity 0 has ${dimension}; only identities from the same recognizer ` +
          `can be mixed.`,
      );
    }
    if (identity.models.length && identities[0].models.length && !sameModels(identity.models, identities[0].models)) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `Identity ${i} was made by different models than identity 0; recreate both with the same recognizer before mixing.`,
      );
    }
  });
  const mixed = new Float32Array(dimension);
  identities.forEach((identity, i) => {
    const mean = meanEmbedding(identity.embeddings);
    for (let d = 0; d < dimension; d++) mixed[d] += normalised[i] * mean[d];
  });
  const heaviest = normalised.indexOf(Math.max(...normalised));
  return {
    embeddings: [mixed],
    combine: "average",
    sources: identities[heaviest].sources.slice(0, 1),
    models: identities.find((identity) => identity.models.length)?.models ?? [],
  };
}
