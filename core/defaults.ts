/**
 * The SDK's defaults, written once. The two InstantID strengths go by one pair of names everywhere in the core:
 * `adapterScale` (the Image Adapter's image-attention scale, the reference's `ip_adapter_scale`) and
 * `identityNetScale` (IdentityNet's residual scale, the reference's `controlnet_conditioning_scale`). A frontend's
 * own names (ComfyUI's `weight`, A1111's `weight`) appear only where a request for that frontend is built.
 */

/** The Image Adapter's scale when none is given: 0.8, as InstantID's README. */
export const DEFAULT_ADAPTER_SCALE = 0.8;

/** IdentityNet's scale when none is given: 0.8, as InstantID's README. */
export const DEFAULT_IDENTITYNET_SCALE = 0.8;
