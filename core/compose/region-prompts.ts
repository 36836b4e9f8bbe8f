import { ErrorCode, InstantIdError } from "../errors.js";
import type { RegionMask } from "../masks/face-mask.js";
import { normalizeOverlaps } from "./overlap.js";
import type { Composition } from "./types.js";

/** One identity's region as a runner's region prompt takes it (e.g. onnx-sdxl `generate`'s `regions[].mask`). */
export interface CompositionRegion {
  /** Index of the identity in the composition. */
  readonly identity: number;
  readonly name: string;
  /** The identity's region prompt, if it has one (the text the region's embeddings should encode). */
  readonly prompt?: string;
  /** Canvas-sized, values in [0, 1]. */
  readonly mask: RegionMask;
}

/**
 * The region masks of a composition's region prompts, in identity order, for the identities in
 * `identities` (default: those with a `prompt`). Each is the identity's mask as `toLocalHooks` uses it
 * (after the overlap rule) divided, wherever any region covers the pixel, by the sum of every identity's
 * mask there: ComfyUI's average of masked conditionings, in which an identity without a region prompt
 * stands for the shared prompt. Binary regions that do not overlap are unchanged; a soft region alone
 * at a pixel counts fully there; pixels no region covers stay 0 (the runner gives them the shared prompt).
 * See docs/multi-identity.md.
 * @throws InstantIdError INVALID_OPTION for an index that is not an identity of the composition, or given twice.
 * @example
 * const regions = compositionRegionMasks(composition).map((r, i) => ({ embeds: regionEmbeds[i], mask: r.mask }));
 * await generate({ ...options, regions }, { hooks: [hooks] });
 */
export function compositionRegionMasks(composition: Composition, identities?: readonly number[]): CompositionRegion[] {
  const all = composition.identities;
  const chosen = identities ?? all.flatMap((c, i) => (c.prompt ? [i] : []));
  chosen.forEach((index, k) => {
    if (!Number.isInteger(index) || index < 0 || index >= all.length || chosen.indexOf(index) !== k) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        `Expected distinct identity indices 0…${all.length - 1} for the region prompts but received ${JSON.stringify(chosen)}; ` +
          `give each identity at most once.`,
      );
    }
  });
  const shared = normalizeOverlaps(
    all.map((c) => c.mask),
    0,
  );
  return [...chosen]
    .sort((a, b) => a - b)
    .map((i) => ({ identity: i, name: all[i].name, ...(all[i].prompt ? { prompt: all[i].prompt } : {}), mask: shared[i] }));
}
