import { ErrorCode, InstantIdError } from "../errors.js";
import type { BBox, FiveKeypoints, Point } from "../face/types.js";
import { assertFiveKeypoints } from "./keypoints.js";

/** A rectangle of the target canvas, in pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Options of {@link retargetKeypoints}. */
export interface RetargetOptions {
  /**
   * The region of the source picture to fit into the rectangle, usually the
   * face's bbox; defaults to the box around the keypoints themselves.
   */
  readonly from?: BBox;
}

function keypointBox(kps: FiveKeypoints): BBox {
  const xs = kps.map((p) => p[0]);
  const ys = kps.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function assertRect(rect: Rect): void {
  const ok = [rect?.x, rect?.y, rect?.width, rect?.height].every((v) => typeof v === "number" && Number.isFinite(v));
  if (!ok || rect.width <= 0 || rect.height <= 0) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected a rectangle with finite x, y and positive width and height but received ${JSON.stringify(rect)}`,
    );
  }
}

/**
 * Places a face's keypoints inside a rectangle of another canvas: the source
 * region (`from`, or the keypoints' own box) is scaled uniformly to fit the
 * rectangle and centred in it, so the face keeps its proportions. Used to lay
 * out several people on one keypoint image.
 * @throws InstantIdError INVALID_INPUT for bad keypoints, an empty rectangle or a degenerate source region.
 * @example
 * const left = retargetKeypoints(a.kps, { x: 0, y: 200, width: 512, height: 512 }, { from: a.bbox });
 */
export function retargetKeypoints(kps: FiveKeypoints, rect: Rect, options: RetargetOptions = {}): FiveKeypoints {
  assertFiveKeypoints(kps);
  assertRect(rect);
  const [x1, y1, x2, y2] = options.from ?? keypointBox(kps);
  const width = x2 - x1;
  const height = y2 - y1;
  if (!(width > 0 && height > 0)) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Cannot retarget keypoints from an empty region [${x1}, ${y1}, ${x2}, ${y2}]; pass the face's bbox as options.from`,
    );
  }
  const scale = Math.min(rect.width / width, rect.height / height);
  const offsetX = rect.x + (rect.width - width * scale) / 2;
  const offsetY = rect.y + (rect.height - height * scale) / 2;
  return kps.map(([x, y]): Point => [offsetX + (x - x1) * scale, offsetY + (y - y1) * scale]) as unknown as FiveKeypoints;
}
