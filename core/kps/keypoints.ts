import { ErrorCode, InstantIdError } from "../errors.js";
import type { FiveKeypoints, Point } from "../face/types.js";

/** Names of InsightFace's five keypoints, in order. */
export const KEYPOINT_NAMES = ["left eye", "right eye", "nose", "left mouth corner", "right mouth corner"] as const;

/** A canvas size in pixels. */
export interface CanvasSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Checks that `value` is five finite (x, y) points and returns it typed.
 * @throws InstantIdError INVALID_INPUT naming the count or the bad coordinate.
 */
export function assertFiveKeypoints(value: unknown, what = "keypoints"): FiveKeypoints {
  if (!Array.isArray(value) || value.length !== 5) {
    const received = Array.isArray(value) ? `${value.length} points` : typeof value;
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected 5 points (${KEYPOINT_NAMES.join(", ")}) for ${what} but received ${received}; pass a face's kps as detected.`,
    );
  }
  value.forEach((point, i) => assertPoint(point, `${what}[${i}] (${KEYPOINT_NAMES[i]})`));
  return value as unknown as FiveKeypoints;
}

/** Coordinates beyond this many pixels are refused: no photo is that large, and the fixed-point rasteriser stays exact below it. */
export const MAX_KEYPOINT_COORDINATE = 1_000_000;

function assertPoint(point: unknown, what: string): asserts point is Point {
  const isCoordinate = (c: unknown) => typeof c === "number" && Number.isFinite(c) && Math.abs(c) <= MAX_KEYPOINT_COORDINATE;
  const ok = Array.isArray(point) && point.length === 2 && point.every(isCoordinate);
  if (!ok) {
    const shown = Array.isArray(point) ? `[${point.map(String).join(", ")}]` : String(point);
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected a finite [x, y] pixel position (within ±${MAX_KEYPOINT_COORDINATE}) for ${what} but received ${shown}`,
    );
  }
}

/**
 * Checks a canvas size: positive integers.
 * @throws InstantIdError INVALID_INPUT for a zero, negative, fractional or non-finite side.
 */
export function assertCanvasSize(size: CanvasSize, what = "canvas"): CanvasSize {
  const ok = (side: unknown) => typeof side === "number" && Number.isInteger(side) && side > 0;
  if (!size || !ok(size.width) || !ok(size.height)) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected a ${what} size of positive whole pixels but received ${size?.width}x${size?.height}; use the size of the image ` +
        `the keypoints came from.`,
    );
  }
  return size;
}

/** True when `value` looks like one face's keypoints rather than a list of faces. */
export function isSingleFace(value: unknown): boolean {
  return Array.isArray(value) && Array.isArray(value[0]) && typeof value[0][0] === "number";
}
