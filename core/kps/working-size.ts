import type { FiveKeypoints, Point } from "../face/types.js";
import { assertCanvasSize, assertFiveKeypoints, type CanvasSize } from "./keypoints.js";

/** Options of {@link workingSize}; the defaults are the InstantID app's `resize_img`. */
export interface WorkingSizeOptions {
  /** The long side after scaling (default 1280). */
  readonly maxSide?: number;
  /** The short side of the intermediate step (default 1024). */
  readonly minSide?: number;
  /** Both sides are floored to a multiple of this (default 64). */
  readonly multiple?: number;
}

/** Python's `round`: nearest integer, ties to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The reference app's working size (`resize_img`): scale so the short side is
 * `minSide` (rounded), then so the long side is `maxSide` (small images are
 * upscaled), then floor both sides to a multiple of `multiple`. Generation
 * defaults to the keypoint image's size, so this is the size to render at.
 * @example workingSize({ width: 3000, height: 2000 }) // { width: 1280, height: 832 }
 */
export function workingSize(size: CanvasSize, options: WorkingSizeOptions = {}): CanvasSize {
  const { width, height } = assertCanvasSize(size, "image");
  const maxSide = options.maxSide ?? 1280;
  const minSide = options.minSide ?? 1024;
  const multiple = options.multiple ?? 64;
  const first = minSide / Math.min(width, height);
  const w = roundHalfEven(first * width);
  const h = roundHalfEven(first * height);
  const second = maxSide / Math.max(w, h);
  return {
    width: Math.floor(roundHalfEven(second * w) / multiple) * multiple,
    height: Math.floor(roundHalfEven(second * h) / multiple) * multiple,
  };
}

/**
 * Moves keypoints found in an image of size `from` onto the same picture resized to `to` (each axis scaled
 * on its own, so a change of aspect squashes the face); `fitKeypoints` keeps the proportions.
 */
export function scaleKeypoints(kps: FiveKeypoints, from: CanvasSize, to: CanvasSize): FiveKeypoints {
  assertFiveKeypoints(kps);
  assertCanvasSize(from, "source");
  assertCanvasSize(to, "target");
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return kps.map(([x, y]): Point => [x * sx, y * sy]) as unknown as FiveKeypoints;
}
