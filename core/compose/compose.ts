import { ErrorCode, InstantIdError } from "../errors.js";
import type { FiveKeypoints } from "../face/types.js";
import { controlImageTensor } from "../controlnet/control-image.js";
import type { RegionMask } from "../masks/face-mask.js";
import { renderKeypoints } from "../kps/render.js";
import { parseOptions } from "../validate.js";
import { assertMaskNotEmpty, keypointsOutsideRegion, regionBeyondCanvas } from "./checks.js";
import { resolveOverlaps } from "./overlap.js";
import { faceSlot, fitIdentityKeypoints } from "./placement.js";
import { assignPoseFaces, poseFacesLeftToRight } from "./pose-match.js";
import { regionMask } from "./region-mask.js";
import { compositionSchema, type ParsedComposition, type ParsedIdentity } from "./schema.js";
import type { ComposedIdentity, Composition, CompositionOptions, CompositionWarning } from "./types.js";

/**
 * Resolves a multi-identity layout: each identity's keypoints on the canvas (given, fitted into a
 * face box, or taken from the pose photo's faces left to right or by index), its keypoint image and
 * its region mask, with the overlap rule applied. Backend independent: `toLocalHooks` and the
 * A1111 / ComfyUI mappings read the result.
 * @throws InstantIdError INVALID_OPTION for malformed options; INVALID_INPUT for an empty region
 * (details.reason "EMPTY_MASK"), overlapping regions with overlap "reject" ("MASKS_OVERLAP"), a
 * placement that cannot be resolved; NO_FACE for more identities than faces in the pose photo.
 * @example
 * const composition = createComposition({
 *   width: 1024, height: 1024, prompt: "two friends at the beach",
 *   identities: [
 *     { identity: alice, region: { rect: [0, 0, 512, 1024] } },
 *     { identity: bob, region: { rect: [512, 0, 1024, 1024] }, adapterScale: 0.7 },
 *   ],
 * });
 * for (const w of composition.warnings) console.warn(w.message);
 */
export function createComposition(options: CompositionOptions): Composition {
  const o = parseOptions(compositionSchema, options, "composition options");
  const names = o.identities.map((id, i) => id.name ?? `identity ${i + 1}`);
  const warnings: CompositionWarning[] = [];
  const posed = poseKeypoints(o, warnings);
  const resolved = o.identities.map((id, i) => resolveIdentity(o, id, i, names[i], posed[i]));
  for (const [i, id] of o.identities.entries()) {
    const clipped = regionBeyondCanvas(id.region, o, i, names[i]);
    if (clipped) warnings.push(clipped);
  }
  const { masks, warning } = resolveOverlaps(
    resolved.map((r) => r.mask),
    o.overlap,
    names,
  );
  if (warning) warnings.push(warning);
  const identities = resolved.map((r, i): ComposedIdentity => {
    const id = o.identities[i];
    const outside = r.keypoints && keypointsOutsideRegion(r.keypoints, masks[i], i, names[i]);
    if (outside) warnings.push(outside);
    return {
      name: names[i],
      identity: id.identity,
      keypoints: r.keypoints,
      keypointImage: r.keypointImage,
      mask: masks[i],
      adapterScale: id.adapterScale,
      identityNetScale: id.identityNetScale,
      start: id.start,
      end: id.end,
      prompt: id.prompt,
    };
  });
  return { width: o.width, height: o.height, prompt: o.prompt, negativePrompt: o.negativePrompt, identities, warnings };
}

// Keypoints each identity takes from the pose photo (undefined for the others).
function poseKeypoints(o: ParsedComposition, warnings: CompositionWarning[]): (FiveKeypoints | undefined)[] {
  const wanted = o.identities.map((id) =>
    id.keypoints && "poseFace" in id.keypoints ? id.keypoints.poseFace : !id.keypoints && o.pose ? null : undefined,
  );
  if (!o.pose) {
    const i = wanted.findIndex((w) => w !== undefined);
    if (i >= 0)
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `Identity ${i + 1} takes its keypoints from pose face ${wanted[i]} but no pose photo was given; pass pose: { width, ` +
          `height, faces }`,
      );
    return wanted.map(() => undefined);
  }
  const faces = poseFacesLeftToRight(o.pose, o);
  const assigned = assignPoseFaces(wanted, faces.length);
  const used = assigned.filter((a) => a !== undefined).length;
  if (used < faces.length) {
    warnings.push({
      code: "UNUSED_POSE_FACES",
      message: `The pose photo shows ${faces.length} faces but only ${used} identities take one; the others get no identity and no keypoints`,
    });
  }
  return assigned.map((a) => (a === undefined ? undefined : faces[a]));
}

interface Resolved {
  readonly keypoints?: FiveKeypoints;
  readonly keypointImage: ComposedIdentity["keypointImage"];
  readonly mask: RegionMask;
}

function resolveIdentity(
  o: ParsedComposition,
  id: ParsedIdentity,
  index: number,
  name: string,
  posed: FiveKeypoints | undefined,
): Resolved {
  const canvas = { width: o.width, height: o.height };
  const placement = id.keypoints;
  let keypoints = posed ?? (placement && "points" in placement ? (placement.points as unknown as FiveKeypoints) : undefined);
  if (placement && "rect" in placement) keypoints = fitIdentityKeypoints(id.identity, placement.rect);
  const regionSpec = id.region ?? (o.identities.length === 1 ? { canvas: true as const } : { face: {} });
  if (!keypoints && !(placement && "image" in placement)) {
    if ("face" in regionSpec) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `${name} has neither keypoints nor a region to place them in; give keypoints ({ rect }, { points }, a pose photo) or a ` +
          `region ({ rect }, { polygon }, { mask })`,
      );
    }
    const region = regionMask(regionSpec, o.width, o.height, undefined, name);
    assertMaskNotEmpty(region, index, name);
    keypoints = fitIdentityKeypoints(id.identity, faceSlot(region, name));
  }
  const mask = regionMask(regionSpec, o.width, o.height, keypoints, name);
  assertMaskNotEmpty(mask, index, name);
  const keypointImage = keypoints
    ? renderKeypoints(keypoints, canvas)
    : readyImage(placement as { image: ComposedIdentity["keypointImage"] }, o, name);
  return { keypoints, keypointImage, mask };
}

function readyImage(
  placement: { image: ComposedIdentity["keypointImage"] },
  o: ParsedComposition,
  name: string,
): ComposedIdentity["keypointImage"] {
  const image = placement.image;
  const [height, width] = "shape" in image ? controlImageTensor(image).shape.slice(2) : [image.height, image.width];
  if (width !== o.width || height !== o.height) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `${name}: the keypoint image is ${width}x${height} but the canvas is ${o.width}x${o.height}; draw it at the canvas size`,
    );
  }
  return placement.image;
}
