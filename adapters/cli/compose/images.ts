import { encodePng, identityEmbeds, type ControlImage, type Identity, type RegionMask, type RgbImage } from "../../../core/index.js";
import type { ComposedIdentity } from "../../../core/internal.js";

/** A conditioning image as 8-bit RGB: as is, or a [1, 3, H, W] tensor in [0, 1] scaled back to 0–255. */
export function controlImageToRgb(image: ControlImage): RgbImage {
  if (!("shape" in image)) return image;
  const [, , height, width] = image.shape;
  const area = width * height;
  const data = new Uint8Array(area * 3);
  for (let p = 0; p < area; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(Math.min(1, Math.max(0, image.data[c * area + p])) * 255);
  }
  return { width, height, data };
}

/** A region mask as a grey PNG (white = 1), what A1111's effective_region_mask and ComfyUI's LoadImageMask read. */
export function maskPng(mask: RegionMask): Promise<Buffer> {
  const data = new Uint8Array(mask.width * mask.height * 3);
  for (let p = 0; p < mask.data.length; p++) data.fill(Math.round(Math.min(1, Math.max(0, mask.data[p])) * 255), p * 3, p * 3 + 3);
  return encodePng({ width: mask.width, height: mask.height, data });
}

/** The identity's keypoint image as PNG bytes. */
export function keypointPng(identity: ComposedIdentity): Promise<Buffer> {
  return encodePng(controlImageToRgb(identity.keypointImage));
}

/** The embedding a server takes for an identity: its references combined, or each kept for `concat`. */
export function serverEmbedding(identity: Identity): Float32Array | Float32Array[] {
  return identity.combine === "concat" ? [...identity.embeddings] : identityEmbeds(identity).data;
}

/** The shared prompt with every region prompt joined on, for backends without regional prompts. */
export function joinedPrompt(prompt: string, identities: readonly ComposedIdentity[]): string {
  return [prompt, ...identities.flatMap((c) => (c.prompt ? [c.prompt] : []))].join(", ");
}
