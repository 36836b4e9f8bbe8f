import { ErrorCode, InstantIdError } from "../errors.js";
import type { BBox } from "../face/types.js";
import { assertCanvasSize, type CanvasSize } from "../kps/keypoints.js";

/** A single-channel mask at canvas resolution, row by row, 1 inside the region and 0 outside. */
export interface RegionMask {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Options of {@link faceRegionMask}. */
export interface FaceRegionMaskOptions extends CanvasSize {
  /** Grows the box on every side by this fraction of its width (left, right) and height (top, bottom); default 0. */
  readonly padding?: number;
}

/**
 * The reference full pipeline's "enhance face region" mask: the face's bbox,
 * optionally padded, truncated to whole pixels (`mask[y1:y2, x1:x2] = 1`, end
 * exclusive) and clipped to the canvas. It scales IdentityNet's residuals and
 * the image attention so they act on the face only.
 * @throws InstantIdError INVALID_INPUT for a bad canvas size, a non-finite box or a negative padding.
 */
export function faceRegionMask(bbox: BBox, options: FaceRegionMaskOptions): RegionMask {
  const { width, height } = assertCanvasSize(options);
  const padding = options.padding ?? 0;
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(Number.isFinite)) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected a bbox of 4 finite numbers [x1, y1, x2, y2] but received ${JSON.stringify(bbox)}`,
    );
  }
  if (!Number.isFinite(padding) || padding < 0) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected a padding of 0 or more (a fraction of the box size) but received ${padding}`,
    );
  }
  const [bx1, by1, bx2, by2] = bbox;
  const padX = (bx2 - bx1) * padding;
  const padY = (by2 - by1) * padding;
  const clampX = (v: number) => Math.min(Math.max(Math.trunc(v), 0), width);
  const clampY = (v: number) => Math.min(Math.max(Math.trunc(v), 0), height);
  const [x1, x2] = [clampX(bx1 - padX), clampX(bx2 + padX)];
  const [y1, y2] = [clampY(by1 - padY), clampY(by2 + padY)];
  const data = new Float32Array(width * height);
  for (let y = y1; y < y2; y++) data.fill(1, y * width + x1, y * width + x2);
  return { width, height, data };
}
