import type { BBox, FiveKeypoints, Point } from "../face/types.js";
import type { ControlImage } from "../controlnet/control-image.js";
import type { Identity } from "../identity/identity.js";
import type { RgbImage } from "../image/rgb-image.js";
import type { RegionMask } from "../masks/face-mask.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Where an identity's five keypoints go on the canvas:
 * - `points`: given in canvas pixels;
 * - `rect`: the identity's own keypoints (its first reference, or a frontal template) fitted into a
 *   face box `[x1, y1, x2, y2]` of the canvas;
 * - `poseFace`: the face with this index in the pose photo, faces counted left to right from 0;
 * - `image`: a keypoint image drawn elsewhere (canvas-sized), used as is; the keypoints stay unknown.
 */
export type KeypointPlacement =
  | { readonly points: FiveKeypoints }
  | { readonly rect: BBox }
  | { readonly poseFace: number }
  | { readonly image: ControlImage };

/**
 * Where an identity acts, as a mask over the canvas:
 * - `rect` `[x1, y1, x2, y2]` (end exclusive);
 * - `polygon`: pixels whose centre lies inside (even-odd rule);
 * - `mask`: a one-channel mask (`RegionMask` or tensor, values in [0, 1]) or an RGB image (its red
 *   channel / 255, as ComfyUI's LoadImageMask reads it), resized bilinearly to the canvas if needed;
 * - `face`: the face box estimated from the identity's keypoints, grown by `padding` (default 0.25)
 *   of its size on every side;
 * - `canvas`: the whole picture.
 */
export type RegionSpec =
  | { readonly rect: BBox }
  | { readonly polygon: readonly Point[] }
  | { readonly mask: RegionMask | Tensor | RgbImage }
  | { readonly face: { readonly padding?: number } }
  | { readonly canvas: true };

/** One person of a composition, as given. */
export interface CompositionIdentityOptions {
  readonly identity: Identity;
  /** For messages and previews; default "identity 1", "identity 2", ... */
  readonly name?: string;
  /** Default: the next pose face left to right when a pose is given, else fitted into the region's face slot. */
  readonly keypoints?: KeypointPlacement;
  /** Default: the whole canvas for a single identity, else the face box around its keypoints. */
  readonly region?: RegionSpec;
  /** Image Adapter (image attention) scale, 0 to 10; default `DEFAULT_ADAPTER_SCALE` (0.8). */
  readonly adapterScale?: number;
  /** IdentityNet conditioning scale, 0 to 10; default `DEFAULT_IDENTITYNET_SCALE` (0.8). */
  readonly identityNetScale?: number;
  /** IdentityNet guidance window as fractions of the steps; default 0 and 1. */
  readonly start?: number;
  readonly end?: number;
  /** A prompt for this identity's region, on top of the shared prompt (see docs/multi-identity.md). */
  readonly prompt?: string;
}

/** The faces of a pose photo (any order) and the photo's size; keypoints are scaled to the canvas. */
export interface PoseFaces {
  readonly width: number;
  readonly height: number;
  readonly faces: readonly { readonly bbox: BBox; readonly kps: FiveKeypoints }[];
}

/** How overlapping region masks are treated: divided by their sum where it exceeds 1, refused, or summed as given. */
export type OverlapMode = "normalize" | "reject" | "allow";

/** Options of {@link createComposition}. */
export interface CompositionOptions {
  /** Canvas (output) size in pixels. */
  readonly width: number;
  readonly height: number;
  readonly prompt: string;
  readonly negativePrompt?: string;
  readonly identities: readonly CompositionIdentityOptions[];
  /** The analysed pose photo, for `poseFace` placements and the default left-to-right matching. */
  readonly pose?: PoseFaces;
  /** Default "normalize". */
  readonly overlap?: OverlapMode;
}

/** What {@link createComposition} reports without failing. */
export interface CompositionWarning {
  readonly code: "MASKS_OVERLAP" | "KEYPOINTS_OUTSIDE_REGION" | "UNUSED_POSE_FACES" | "REGION_CLIPPED";
  /** Index of the identity concerned, when there is one. */
  readonly identity?: number;
  readonly message: string;
}

/** One person of a resolved composition: everything a backend needs, at canvas resolution. */
export interface ComposedIdentity {
  readonly name: string;
  readonly identity: Identity;
  /** Canvas keypoints; undefined when the keypoint image was given ready-made. */
  readonly keypoints?: FiveKeypoints;
  /** The keypoint image IdentityNet sees (draw_kps of this identity alone, canvas-sized). */
  readonly keypointImage: ControlImage;
  /** Canvas-sized region mask, after overlap handling. */
  readonly mask: RegionMask;
  readonly adapterScale: number;
  readonly identityNetScale: number;
  readonly start: number;
  readonly end: number;
  readonly prompt?: string;
}

/** A validated multi-identity layout, backend independent. */
export interface Composition {
  readonly width: number;
  readonly height: number;
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly identities: readonly ComposedIdentity[];
  readonly warnings: readonly CompositionWarning[];
}
