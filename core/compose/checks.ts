import { ErrorCode, InstantIdError } from "../errors.js";
import type { FiveKeypoints } from "../face/types.js";
import type { RegionMask } from "../masks/face-mask.js";
import { KEYPOINT_NAMES } from "../kps/keypoints.js";
import type { CompositionWarning, RegionSpec } from "./types.js";

/**
 * Refuses a region that covers nothing (every value 0 or less, e.g. a rectangle outside the canvas).
 * @throws InstantIdError INVALID_INPUT with details.reason "EMPTY_MASK".
 */
export function assertMaskNotEmpty(mask: RegionMask, index: number, name: string): void {
  if (mask.data.some((v) => v > 0)) return;
  throw new InstantIdError(
    ErrorCode.InvalidInput,
    `The region of ${name} is empty: its mask is 0 on all ${mask.width}x${mask.height} pixels of the canvas; give a region ` +
      `inside the canvas`,
    { details: { reason: "EMPTY_MASK", identity: index } },
  );
}

/** A warning naming each keypoint that falls where the identity's mask is 0 (or off the canvas). */
export function keypointsOutsideRegion(kps: FiveKeypoints, mask: RegionMask, index: number, name: string): CompositionWarning | undefined {
  const outside = kps.flatMap(([x, y], i) => {
    const [px, py] = [Math.floor(x), Math.floor(y)];
    const inside = px >= 0 && py >= 0 && px < mask.width && py < mask.height && mask.data[py * mask.width + px] > 0;
    return inside ? [] : [`${KEYPOINT_NAMES[i]} (${Math.round(x)}, ${Math.round(y)})`];
  });
  if (!outside.length) return undefined;
  return {
    code: "KEYPOINTS_OUTSIDE_REGION",
    identity: index,
    message:
      `${name}: ${outside.join(", ")} outside its region, where neither IdentityNet nor the image attention act for it; ` +
      `move the region or the keypoints`,
  };
}

/**
 * A warning when a rectangle or polygon region reaches past the canvas, which clips it (a pose photo's size, when given, sets the canvas).
 */
export function regionBeyondCanvas(
  spec: RegionSpec | undefined,
  canvas: { width: number; height: number },
  index: number,
  name: string,
): CompositionWarning | undefined {
  const points = !spec
    ? []
    : "rect" in spec
      ? [
          [spec.rect[0], spec.rect[1]],
          [spec.rect[2], spec.rect[3]],
        ]
      : "polygon" in spec
        ? spec.polygon
        : [];
  const beyond = points.some(([x, y]) => x < 0 || y < 0 || x > canvas.width || y > canvas.height);
  if (!beyond) return undefined;
  return {
    code: "REGION_CLIPPED",
    identity: index,
    message:
      `${name}: its region reaches past the ${canvas.width}x${canvas.height} canvas and is clipped to it; give the region ` +
      `in canvas pixels`,
  };
}
