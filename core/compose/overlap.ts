import { ErrorCode, InstantIdError } from "../errors.js";
import type { RegionMask } from "../masks/face-mask.js";
import type { CompositionWarning, OverlapMode } from "./types.js";

/** Pixels where the masks sum to more than 1, and the pairs of identities that share pixels. */
export function findOverlaps(masks: readonly RegionMask[]): { pixels: number; pairs: [number, number][] } {
  const area = masks[0]?.data.length ?? 0;
  let pixels = 0;
  const pairs = new Set<string>();
  for (let p = 0; p < area; p++) {
    let sum = 0;
    for (const m of masks) sum += m.data[p];
    if (sum <= 1) continue;
    pixels++;
    const covering = masks.flatMap((m, i) => (m.data[p] > 0 ? [i] : []));
    for (let a = 0; a < covering.length; a++) for (let b = a + 1; b < covering.length; b++) pairs.add(`${covering[a]},${covering[b]}`);
  }
  return { pixels, pairs: [...pairs].map((k) => k.split(",").map(Number) as [number, number]) };
}

/**
 * Applies the overlap rule: "normalize" divides every mask by the masks' sum where it exceeds 1
 * (so the identities share such pixels and never add up past one), "reject" refuses any such pixel,
 * "allow" keeps the masks as given. Returns the masks to use and, if there was overlap, a warning.
 * @throws InstantIdError INVALID_INPUT naming the overlapping identities, in "reject" mode.
 */
export function resolveOverlaps(
  masks: readonly RegionMask[],
  mode: OverlapMode,
  names: readonly string[],
): { masks: RegionMask[]; warning?: CompositionWarning } {
  const overlap = findOverlaps(masks);
  if (!overlap.pixels) return { masks: [...masks] };
  const which = overlap.pairs.map(([a, b]) => `${names[a]} and ${names[b]}`).join(", ");
  const what = `The regions of ${which} overlap on ${overlap.pixels} pixels (masks summing past 1)`;
  if (mode === "reject") {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `${what}; make the regions disjoint, or pass overlap: "normalize" to share those pixels`,
      {
        details: { reason: "MASKS_OVERLAP", pixels: overlap.pixels, pairs: overlap.pairs },
      },
    );
  }
  if (mode === "allow")
    return {
      masks: [...masks],
      warning: { code: "MASKS_OVERLAP", message: `${what}; kept as given, so both identities act there at full strength` },
    };
  return { masks: normalizeOverlaps(masks), warning: { code: "MASKS_OVERLAP", message: `${what}; normalized so they share those pixels` } };
}

/** Copies of the masks, each divided by the masks' sum at every pixel where that sum exceeds `above` (default 1: overlaps only). */
export function normalizeOverlaps(masks: readonly RegionMask[], above = 1): RegionMask[] {
  const out = masks.map((m) => ({ width: m.width, height: m.height, data: Float32Array.from(m.data) }));
  const area = out[0].data.length;
  for (let p = 0; p < area; p++) {
    let sum = 0;
    for (const m of out) sum += m.data[p];
    if (sum > above) for (const m of out) m.data[p] /= sum;
  }
  return out;
}
