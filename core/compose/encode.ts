import type { ControlImage } from "../controlnet/control-image.js";
import type { RgbImage } from "../image/rgb-image.js";
import { encodePng } from "../image/io.js";
import type { RegionMask } from "../masks/face-mask.js";
import type { ComposedIdentity } from "./types.js";

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

/** A region mask as a grey PNG (white = 1): what A1111's effective_region_mask and ComfyUI's LoadImageMask read. */
export function regionMaskPng(mask: RegionMask): Promise<Buffer> {
  const data = new Uint8Array(mask.width * mask.height * 3);
  for (let p = 0; p < mask.data.length; p++) data.fill(Math.round(Math.min(1, Math.max(0, mask.data[p])) * 255), p * 3, p * 3 + 3);
  return encodePng({ width: mask.width, height: mask.height, data });
}

/** A composed identity's keypoint image as PNG bytes, the way a server takes a ready-drawn keypoint image. */
export function keypointImagePng(identity: ComposedIdentity): Promise<Buffer> {
  return encodePng(controlImageToRgb(identity.keypointImage));
}
