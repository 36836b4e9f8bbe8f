import { loadImage, type ImageInput } from "../image/io.js";
import type { RgbImage } from "../image/rgb-image.js";
import type { Face } from "./types.js";

/** `shrinkOnLoad: true`: the long side a shrunk photo keeps at least (1.5× the detector's 640, room for a sharp 112 px face crop). */
export const SHRINK_ON_LOAD_SIDE = 960;

/** A decoded photo and the factor from its pixels back to the original photo's. */
export interface DecodedPhoto {
  readonly image: RgbImage;
  readonly scale: number;
}

/**
 * Decodes an encoded photo (path or bytes) at 1/2, 1/4 or 1/8 of its size — the largest reduction that
 * keeps its long side at least `minSide` — letting libvips decode JPEG and WebP at that size straight
 * from the compressed data (shrink-on-load), with no resampling after it: a 12 MP JPEG then costs a
 * fraction of a full decode. Smaller photos and other inputs are decoded as they are. The pixels
 * differ from a full decode followed by OpenCV's resize, so results are no longer those of
 * insightface to the last digit (docs/face.md).
 */
export async function decodeShrunk(input: ImageInput, minSide: number): Promise<DecodedPhoto> {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return { image: await loadImage(input), scale: 1 };
  const { default: sharp } = await import("sharp");
  const meta = await sharp(input).metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  let factor = 1;
  while (factor < 8 && Math.max(width, height) / (factor * 2) >= minSide) factor *= 2;
  if (factor === 1) return { image: await loadImage(input), scale: 1 };
  const image = await loadImage(
    sharp(input).resize({ width: Math.ceil(width / factor), height: Math.ceil(height / factor), fit: "fill", fastShrinkOnLoad: true }),
  );
  return { image, scale: width / image.width };
}

/** A face found in a shrunk photo, with its box and keypoints in the original photo's pixels. */
export function scaleFace(face: Face, scale: number): Face {
  if (scale === 1) return face;
  const [x1, y1, x2, y2] = face.bbox;
  return {
    ...face,
    bbox: [x1 * scale, y1 * scale, x2 * scale, y2 * scale],
    kps: face.kps.map(([x, y]) => [x * scale, y * scale] as const) as unknown as Face["kps"],
  };
}
