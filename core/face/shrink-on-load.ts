import { loadImage, type ImageInput } from "../image/io.js";
import type { RgbImage } from "../image/rgb-image.js";
import type { Face } from "./types.js";

/** The longest side a photo is decoded to with `shrinkOnLoad: true`: twice the detector's 640, room for a sharp 112 px face crop. */
export const SHRINK_ON_LOAD_SIDE = 1280;

/** A decoded photo and the factor from its pixels back to the original photo's. */
export interface DecodedPhoto {
  readonly image: RgbImage;
  readonly scale: number;
}

/**
 * Decodes an encoded photo (path or bytes) at most `maxSide` pixels on its longest side, letting
 * libvips decode JPEG and WebP at 1/2, 1/4 or 1/8 size directly (shrink-on-load) before its Lanczos
 * resize: a 12 MP JPEG then costs a fraction of a full decode. Other inputs are decoded as they are.
 * The pixels differ from a full decode followed by OpenCV's resize, so results are no longer those of
 * insightface to the last digit (docs/face.md).
 */
export async function decodeShrunk(input: ImageInput, maxSide: number): Promise<DecodedPhoto> {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return { image: await loadImage(input), scale: 1 };
  const { default: sharp } = await import("sharp");
  const meta = await sharp(input).metadata();
  const orientedWidth = meta.autoOrient?.width ?? meta.width ?? 0;
  if (!orientedWidth || Math.max(orientedWidth, meta.autoOrient?.height ?? meta.height ?? 0) <= maxSide) return { image: await loadImage(input), scale: 1 };
  const image = await loadImage(sharp(input).resize({ width: maxSide, height: maxSide, fit: "inside", fastShrinkOnLoad: true }));
  return { image, scale: orientedWidth / image.width };
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
