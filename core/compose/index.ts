export { createComposition } from "./compose.js";
export type {
  Composition,
  ComposedIdentity,
  CompositionOptions,
  CompositionIdentityOptions,
  CompositionWarning,
  KeypointPlacement,
  RegionSpec,
  PoseFaces,
  OverlapMode,
} from "./types.js";
export { compositionSchema } from "./schema.js";
export { regionMask, maskBounds, DEFAULT_FACE_PADDING } from "./region-mask.js";
export { polygonMask } from "./polygon.js";
export { estimateFaceBox, keypointBox, frontalFace, FACE_BOX_FACTOR } from "./face-box.js";
export { fitIdentityKeypoints, faceSlot, faceSlotRect, photoPlacement } from "./placement.js";
export { singleIdentityComposition } from "./single-identity.js";
export type { SingleIdentityOptions } from "./single-identity.js";
export { assignPoseFaces, poseFacesLeftToRight } from "./pose-match.js";
export { findOverlaps, resolveOverlaps, normalizeOverlaps } from "./overlap.js";
export { compositionRegionMasks } from "./region-prompts.js";
export type { CompositionRegion } from "./region-prompts.js";
export { assertMaskNotEmpty, keypointsOutsideRegion } from "./checks.js";
export { toLocalHooks, compositionPatchOptions, compositionTokens } from "./local-hooks.js";
export { createCompositionHooks } from "./hook-factory.js";
export type { CompositionHookOptions } from "./hook-factory.js";
export type { LocalHookModels, LocalHooks } from "./local-hooks.js";
export { drawCompositionPreview, REGION_COLORS } from "./preview.js";
export { poseFromImage } from "./pose-source.js";
export { controlImageToRgb, keypointImagePng, regionMaskPng } from "./encode.js";
