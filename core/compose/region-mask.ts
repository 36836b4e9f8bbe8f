import { ErrorCode, InstantIdError } from "../errors.js";
import type { BBox, FiveKeypoints } from "../face/types.js";
import { resizeMaskBilinear, maskSize } from "../masks/mask-tensor.js";
import type { RgbImage } from "../image/rgb-image.js";
import { faceRegionMask, type RegionMask } from "../masks/face-mask.js";
import type { Tensor } from "../tensor/tensor.js";
import { estimateFaceBox } from "./face-box.js";
import { polygonMask } from "./polygon.js";
import type { RegionSpec } from "./types.js";

/** Default growth of a keypoint-derived region, as a fraction of the face box on every side. */
export const DEFAULT_FACE_PADDING = 0.25;

/**
 * A region as a canvas-sized mask. `kps` is needed (and only used) for `face` regions.
 * @throws InstantIdError INVALID_INPUT for a `face` region without known keypoints.
 */
export function regionMask(spec: RegionSpec, width: number, height: number, kps: FiveKeypoints | undefined, who: string): RegionMask {
  if ("canvas" in spec) return { width, height, data: new Float32Array(width * height).fill(1) };
  if ("rect" in spec) return faceRegionMask(spec.rect, { width, height });
  if ("polygon" in spec) return polygonMask(spec.polygon, width, height);
  if ("mask" in spec) return resampledMask(spec.mask, width, height, who);
  if (!kps) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `${who}: a region derived from keypoints needs keypoints, but they were given as a ready-made image; give the region as a ` +
        `rect, polygon or mask`,
    );
  }
  return faceRegionMask(estimateFaceBox(kps), { width, height, padding: spec.face.padding ?? DEFAULT_FACE_PADDING });
}

/** The bounding box of a mask's non-zero pixels, or undefined for an empty mask. */
export function maskBounds(mask: RegionMask): BBox | undefined {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[row + x] <= 0) continue;
      x1 = Math.min(x1, x);
      x2 = Math.max(x2, x + 1);
      y1 = Math.min(y1, y);
      y2 = y + 1;
    }
  }
  return x2 > x1 ? [x1, y1, x2, y2] : undefined;
}

function resampledMask(mask: RegionMask | Tensor | RgbImage, width: number, height: number, who: string): RegionMask {
  const plane = asPlane(mask, who);
  if (plane.height === height && plane.width === width) return { width, height, data: Float32Array.from(plane.data) };
  const data = resizeMaskBilinear({ shape: [plane.height, plane.width], data: plane.data }, height, width);
  return { width, height, data };
}

function asPlane(mask: RegionMask | Tensor | RgbImage, who: string): RegionMask {
  if ("shape" in mask) return { ...maskSize(mask), data: mask.data };
  if (mask.data instanceof Float32Array) return mask as RegionMask;
  const image = mask as RgbImage;
  if (image.data.length !== image.width * image.height * 3) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `${who}: a mask image must be RGB, ${image.width}x${image.height}x3 bytes, but has ${image.data.length}`,
    );
  }
  const data = new Float32Array(image.width * image.height);
  for (let p = 0; p < data.length; p++) data[p] = image.data[p * 3] / 255;
  return { width: image.width, height: image.height, data };
}
