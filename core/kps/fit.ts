import type { FiveKeypoints, Point } from "../face/types.js";
import { assertCanvasSize, assertFiveKeypoints, type CanvasSize } from "./keypoints.js";

/** Where a picture lands on a canvas when fitted whole: one scale factor and the top-left offset. */
export interface FitPlacement {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
  /** The fitted picture's size on the canvas (whole pixels). */
  readonly width: number;
  readonly height: number;
}

/** numpy's `round`: nearest integer, ties to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  if (value - floor !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * How a picture of size `from` is fitted whole into a canvas `to` keeping its proportions: one scale
 * factor (the smaller of the two axis ratios), the scaled picture centred with whole-pixel offsets
 * floored. This is the InstantID app's `resize_img(pad_to_max_side=True)` placement and the ControlNet
 * extensions' "Resize and Fill", so keypoints placed this way land where those servers draw them.
 * @throws InstantIdError INVALID_INPUT for a bad size.
 */
export function fitPlacement(from: CanvasSize, to: CanvasSize): FitPlacement {
  assertCanvasSize(from, "source");
  assertCanvasSize(to, "target");
  const scale = Math.min(to.width / from.width, to.height / from.height);
  const width = roundHalfEven(from.width * scale);
  const height = roundHalfEven(from.height * scale);
  return { scale, x: Math.floor((to.width - width) / 2), y: Math.floor((to.height - height) / 2), width, height };
}

/**
 * Moves keypoints found in a picture of size `from` onto a canvas `to` with {@link fitPlacement}: the
 * face keeps its proportions (a pose photo of another aspect is not squashed) and its place in the picture.
 * @throws InstantIdError INVALID_INPUT for bad keypoints or sizes.
 * @example
 * const kps = fitKeypoints(pose.kps, poseImage, { width: 1024, height: 1024 });
 */
export function fitKeypoints(kps: FiveKeypoints, from: CanvasSize, to: CanvasSize): FiveKeypoints {
  assertFiveKeypoints(kps);
  const { scale, x, y } = fitPlacement(from, to);
  return kps.map(([px, py]): Point => [x + px * scale, y + py * scale]) as unknown as FiveKeypoints;
}
