import type { FiveKeypoints } from "../face/types.js";
import type { Identity } from "../identity/identity.js";
import { createComposition } from "./compose.js";
import { photoPlacement } from "./placement.js";
import type { Composition } from "./types.js";

/** What a one-person picture needs besides the identity (the bridges' `…FromIdentity` options). */
export interface SingleIdentityOptions {
  readonly width: number;
  readonly height: number;
  readonly prompt: string;
  readonly negativePrompt?: string;
  /** Where the face goes; by default where it was in the identity's own photo, fitted onto the canvas. */
  readonly keypoints?: readonly (readonly number[])[];
  readonly adapterScale?: number;
  readonly identityNetScale?: number;
  readonly start?: number;
  readonly end?: number;
}

/** The composition of one identity over the whole canvas: how a single-person request maps onto a composition. */
export function singleIdentityComposition(identity: Identity, options: SingleIdentityOptions): Composition {
  const { width, height, prompt, negativePrompt, keypoints, adapterScale, identityNetScale, start, end } = options;
  return createComposition({
    width,
    height,
    prompt,
    negativePrompt,
    identities: [
      {
        identity,
        keypoints: keypoints ? { points: keypoints as FiveKeypoints } : photoPlacement(identity, { width, height }),
        region: { canvas: true },
        adapterScale,
        identityNetScale,
        start,
        end,
      },
    ],
  });
}
