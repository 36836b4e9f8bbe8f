import { ErrorCode, InstantIdError } from "../errors.js";
import type { FiveKeypoints } from "../face/types.js";
import { fitKeypoints } from "../kps/fit.js";
import type { PoseFaces } from "./types.js";

/**
 * The pose photo's faces ordered left to right (by bbox centre), keypoints fitted onto the canvas with one scale factor (`fitKeypoints`),
 * so faces keep their proportions.
 */
export function poseFacesLeftToRight(pose: PoseFaces, canvas: { width: number; height: number }): FiveKeypoints[] {
  const centre = (f: PoseFaces["faces"][number]) => (f.bbox[0] + f.bbox[2]) / 2;
  return [...pose.faces].sort((a, b) => centre(a) - centre(b)).map((f) => fitKeypoints(f.kps, pose, canvas));
}

/**
 * Which pose face each identity takes: explicit indices (`poseFace`) first, then the identities
 * left without one take the remaining faces in left-to-right order. `wanted[i]` is the explicit
 * index, `null` for "next free face" and `undefined` for identities placed otherwise.
 * @throws InstantIdError NO_FACE when there are more identities than faces, INVALID_INPUT for an index out of range or used twice.
 */
export function assignPoseFaces(wanted: readonly (number | null | undefined)[], faceCount: number): (number | undefined)[] {
  const needed = wanted.filter((w) => w !== undefined).length;
  if (needed > faceCount) {
    throw new InstantIdError(
      ErrorCode.NoFace,
      `The pose photo shows ${faceCount} face(s) but ${needed} identities take their keypoints from it; use a pose photo with ` +
        `one face per identity, or place the others with keypoints: { rect }`,
      { details: { faces: faceCount, identities: needed } },
    );
  }
  const taken = new Set<number>();
  wanted.forEach((w, i) => {
    if (w === undefined || w === null) return;
    if (w >= faceCount)
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `Identity ${i + 1} asks for pose face ${w} but the pose photo has faces 0 to ${faceCount - 1} (left to right)`,
      );
    if (taken.has(w))
      throw new InstantIdError(ErrorCode.InvalidInput, `Pose face ${w} is assigned to two identities; give each identity its own face`);
    taken.add(w);
  });
  let next = 0;
  return wanted.map((w) => {
    if (w !== null) return w;
    while (taken.has(next)) next++;
    taken.add(next);
    return next;
  });
}
