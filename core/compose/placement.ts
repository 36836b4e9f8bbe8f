import { ErrorCode, InstantIdError } from "../errors.js";
import type { BBox, FiveKeypoints } from "../face/types.js";
import type { Identity } from "../identity/identity.js";
import { fitKeypoints } from "../kps/fit.js";
import { retargetKeypoints } from "../kps/retarget.js";
import { estimateFaceBox, frontalFace } from "./face-box.js";
import { maskBounds } from "./region-mask.js";
import type { RegionMask } from "../masks/face-mask.js";
import type { Rect } from "../kps/retarget.js";
import type { KeypointPlacement } from "./types.js";

/**
 * The identity's own keypoints fitted into a face box of the canvas: its first reference's keypoints
 * (their estimated face box scaled into `rect`), or a frontal template when the identity records no source.
 */
export function fitIdentityKeypoints(identity: Identity, rect: BBox): FiveKeypoints {
  const source = identity.sources[0];
  const { kps, bbox } = source ? { kps: source.kps, bbox: estimateFaceBox(source.kps) } : frontalFace();
  const [x1, y1, x2, y2] = rect;
  return retargetKeypoints(kps, { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, { from: bbox });
}

/**
 * The face slot of a box `[x1, y1, x2, y2]`: a square half its shorter side, centred horizontally and
 * a little above the middle (where a head sits in a portrait).
 * @example retargetKeypoints(face.kps, faceSlotRect([0, 0, 1024, 1024]), { from: face.bbox });
 */
export function faceSlotRect([x1, y1, x2, y2]: BBox): Rect {
  const size = Math.min(x2 - x1, y2 - y1) * 0.5;
  return { x: x1 + (x2 - x1 - size) / 2, y: y1 + (y2 - y1 - size) / 2.5, width: size, height: size };
}

/**
 * The face slot ({@link faceSlotRect}) of a region's bounding box.
 * @throws InstantIdError INVALID_INPUT when the region is empty.
 */
export function faceSlot(region: RegionMask, who: string): BBox {
  const bounds = maskBounds(region);
  if (!bounds) throw new InstantIdError(ErrorCode.InvalidInput, `${who}: the region is empty, so there is nowhere to place the face`);
  const { x, y, width, height } = faceSlotRect(bounds);
  return [x, y, x + width, y + height];
}

/**
 * Where a lone identity's face goes on a canvas when nothing else says: the keypoints recorded with it, their
 * photo fitted whole onto the canvas (`fitKeypoints`: one scale, centred, so the face keeps its place in its
 * picture, as the reference app draws it); undefined for an identity without a recorded photo, which
 * `createComposition` then places in the canvas's face slot.
 */
export function photoPlacement(
  identity: Identity,
  canvas: { readonly width: number; readonly height: number },
): KeypointPlacement | undefined {
  const source = identity.sources[0];
  return source ? { points: fitKeypoints(source.kps, source, canvas) } : undefined;
}
