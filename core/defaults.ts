import { availableParallelism } from "node:os";

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

/**
 * Operator threads of a session when none is given: every core Node may use. ONNX Runtime's own choice
 * (its physical-core count) gave one thread on a 2-core virtual machine, where two ran the Resampler in
 * 0.6× the time; the face networks set their own count (core/face/threads.ts).
 */
export const defaultIntraOpThreads = (): number => availableParallelism();
