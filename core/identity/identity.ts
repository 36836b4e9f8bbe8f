import type { CombineEmbeddings } from "../image-adapter/embeddings.js";
import { ErrorCode, InstantIdError, invalidOption } from "../errors.js";
import type { FiveKeypoints } from "../face/types.js";
import { assertCanvasSize, assertFiveKeypoints } from "../kps/keypoints.js";

/** Combine mode names an identity accepts; `norm-average` is the command-line spelling of `norm average`. */
export const COMBINE_MODES = ["average", "norm average", "concat"] as const;

/**
 * How an identity's references become the Resampler's input, the Image
 * Adapter's {@link CombineEmbeddings}: `average` (the paper's rule, default),
 * `norm average` (ComfyUI_InstantID's) or `concat` (one token per reference).
 */
export type CombineMode = CombineEmbeddings;

/** A model that produced an identity: its name and the SHA-256 of its file. */
export interface ModelRef {
  readonly name: string;
  readonly sha256: string;
}

/** Where one reference embedding came from: its face's keypoints and the size of its photo (never the photo). */
export interface IdentitySource {
  readonly kps: FiveKeypoints;
  readonly width: number;
  readonly height: number;
}

/**
 * A person, as InstantID's Image Adapter sees them: one or more raw reference
 * embeddings and how they combine, plus where they came from. Holds no photo;
 * saved with `saveIdentity` and reusable by every backend.
 */
export interface Identity {
  /** Raw recognizer outputs (not unit length), one per reference photo, all the same length. */
  readonly embeddings: readonly Float32Array[];
  readonly combine: CombineMode;
  /** One entry per embedding, or none when the embeddings were given bare. */
  readonly sources: readonly IdentitySource[];
  readonly models: readonly ModelRef[];
}

/** One reference for {@link createIdentity}: a detected face (or just its embedding) and the size of its photo. */
export interface IdentityReference {
  readonly embedding: Float32Array;
  readonly kps?: FiveKeypoints;
  readonly width?: number;
  readonly height?: number;
}

/** Options of {@link createIdentity}. */
export interface CreateIdentityOptions {
  readonly combine?: CombineMode;
  readonly models?: readonly ModelRef[];
}

/** Checks that embeddings are non-empty, finite and all of one length; returns that length. */
export function assertEmbeddings(embeddings: readonly Float32Array[], what = "identity"): number {
  if (!embeddings.length)
    throw new InstantIdError(ErrorCode.InvalidInput, `An ${what} needs at least one reference embedding but received none`);
  const dimension = embeddings[0].length;
  embeddings.forEach((embedding, i) => {
    if (!(embedding instanceof Float32Array) || embedding.length === 0) {
      throw new InstantIdError(ErrorCode.InvalidInput, `Expected a non-empty Float32Array for ${what} embedding ${i}`);
    }
    if (embedding.length !== dimension) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `${what} embedding ${i} has ${embedding.length} values but embedding 0 has ${dimension}; every reference must come from ` +
          `the same recognizer.`,
        { details: { dimensions: embeddings.map((e) => e.length) } },
      );
    }
    if (!embedding.every(Number.isFinite)) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `${what} embedding ${i} contains NaN or infinite values; re-run face analysis on that photo.`,
      );
    }
  });
  return dimension;
}

/** Checks a combine mode name, accepting `norm-average` for `norm average`. */
export function assertCombineMode(value: unknown): CombineMode {
  const mode = value === "norm-average" ? "norm average" : value;
  if (!COMBINE_MODES.includes(mode as CombineMode)) throw invalidOption("combine", "average | norm-average | concat", value);
  return mode as CombineMode;
}

function sourceOf(reference: IdentityReference, i: number): IdentitySource | undefined {
  if (reference.kps === undefined) return undefined;
  const kps = assertFiveKeypoints(reference.kps, `reference ${i} keypoints`);
  const { width, height } = assertCanvasSize({ width: reference.width ?? NaN, height: reference.height ?? NaN }, `reference ${i} photo`);
  return { kps: kps.map(([x, y]) => [x, y]) as unknown as FiveKeypoints, width, height };
}

/**
 * Builds an identity from one or more references (faces from face analysis,
 * with their photo's size). Embeddings are copied; the photos are not kept.
 * @throws InstantIdError SHAPE_MISMATCH when embeddings differ in length, INVALID_INPUT for non-finite values or bad keypoints,
 * INVALID_OPTION for an unknown combine mode.
 * @example
 * const id = createIdentity([{ ...face, width: photo.width, height: photo.height }], { combine: "average" });
 */
export function createIdentity(references: readonly IdentityReference[], options: CreateIdentityOptions = {}): Identity {
  const combine = assertCombineMode(options.combine ?? "average");
  assertEmbeddings(references.map((r) => r.embedding));
  const sources = references.map(sourceOf);
  const known = sources.filter((s): s is IdentitySource => s !== undefined);
  if (known.length !== 0 && known.length !== references.length) {
    throw new InstantIdError(ErrorCode.InvalidInput, "Give keypoints and photo size for every reference or for none");
  }
  return {
    embeddings: references.map((r) => Float32Array.from(r.embedding)),
    combine,
    sources: known,
    models: (options.models ?? []).map((m) => ({ name: m.name, sha256: m.sha256 })),
  };
}

/** The embedding dimension of an identity. */
export function identityDimension(identity: Identity): number {
  return identity.embeddings[0].length;
}
