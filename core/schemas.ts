import { z } from "zod";
import type { RgbImage } from "./image/rgb-image.js";
import type { RegionMask } from "./masks/face-mask.js";
import type { Tensor } from "./tensor/tensor.js";

// The SDK's data types as zod schemas, defined once: every boundary that takes a tensor, an image or a mask
// (hook options, compositions, generation options) validates it with these, so each refuses the same inputs
// with the same words. Checks of one kind of use (a [1, 3, H, W] conditioning image, a one-channel mask
// tensor) stay where the value is used, with their own error codes.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isSide = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** A {@link Tensor}: a shape of non-negative integers and a Float32Array of exactly that many values. */
export function isTensor(v: unknown): v is Tensor {
  if (!isObject(v) || !Array.isArray(v.shape) || !(v.data instanceof Float32Array)) return false;
  const shape = v.shape as unknown[];
  if (!shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) return false;
  return v.data.length === shape.reduce<number>((n, d) => n * (d as number), 1);
}

/** An {@link RgbImage}: positive integer width and height, and width × height × 3 bytes. */
export function isRgbImage(v: unknown): v is RgbImage {
  return isObject(v) && isSide(v.width) && isSide(v.height) && v.data instanceof Uint8Array && v.data.length === v.width * v.height * 3;
}

/** A {@link RegionMask}: positive integer width and height, and width × height floats. */
export function isRegionMask(v: unknown): v is RegionMask {
  return isObject(v) && isSide(v.width) && isSide(v.height) && v.data instanceof Float32Array && v.data.length === v.width * v.height;
}

/** A float32 tensor {shape, data}. */
export const tensorSchema = z.custom<Tensor>(isTensor, "a tensor {shape, data: Float32Array} whose data has as many values as its shape");

/** An 8-bit RGB image {width, height, data}. */
export const rgbImageSchema = z.custom<RgbImage>(isRgbImage, "an RgbImage {width, height, data: Uint8Array of width × height × 3 bytes}");

/** A conditioning image: an RgbImage, or a tensor (which must be [1, 3, H, W] in [0, 1] where it is used). */
export const controlImageSchema = z.custom<RgbImage | Tensor>(
  (v) => isRgbImage(v) || isTensor(v),
  "an RgbImage {width, height, data: Uint8Array} or a [1, 3, H, W] tensor",
);

/** A region mask as the hooks take it: a RegionMask, or a tensor (one channel: [H, W], [1, H, W] or [1, 1, H, W]). */
export const maskSchema = z.custom<RegionMask | Tensor>(
  (v) => isRegionMask(v) || isTensor(v),
  "a RegionMask {width, height, data: Float32Array} or a one-channel tensor {shape, data}",
);

/** A region mask that may also be drawn as a picture: a RegionMask, a one-channel tensor or an RgbImage (its red plane). */
export const maskOrImageSchema = z.custom<RegionMask | Tensor | RgbImage>(
  (v) => isRegionMask(v) || isTensor(v) || isRgbImage(v),
  "a RegionMask, a one-channel tensor or an RgbImage",
);
