import { createComposition, loadImage, type Composition, type CompositionIdentityOptions } from "../../core/index.js";
import { decodeIdentity, type RegionSpec } from "../../core/internal.js";
import type { GenerationJob } from "./job.js";

/** The bytes behind a base64 field of a job. */
export function jobBytes(base64: string): Buffer {
  return Buffer.from(base64, "base64");
}

async function regionOf(region: GenerationJob["identities"][number]["region"]): Promise<RegionSpec | undefined> {
  if (!region || !("mask" in region)) return region as RegionSpec | undefined;
  return { mask: await loadImage(jobBytes(region.mask)) };
}

/**
 * Lays a job out as the core's composition (identity files decoded and checked, masks read, keypoint
 * images drawn), exactly as the producer's machine would: every backend starts from this.
 * @throws InstantIdError FILE_CORRUPT for a bad identity file; INVALID_INPUT / INVALID_OPTION from createComposition.
 */
export async function jobComposition(job: GenerationJob): Promise<Composition> {
  const identities: CompositionIdentityOptions[] = [];
  for (const [i, person] of job.identities.entries()) {
    const { identity, region, photo: _photo, regionEmbeddings: _embeddings, ...rest } = person;
    identities.push({
      ...rest,
      identity: decodeIdentity(jobBytes(identity), `identity ${i + 1} of the job`),
      region: await regionOf(region),
    });
  }
  return createComposition({
    width: job.width,
    height: job.height,
    prompt: job.prompt,
    negativePrompt: job.negativePrompt,
    identities,
    pose: job.pose,
    overlap: job.overlap,
  });
}
