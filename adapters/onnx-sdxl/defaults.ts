import { DEFAULT_ADAPTER_SCALE, DEFAULT_IDENTITYNET_SCALE } from "../../core/internal.js";

/** The InstantID reference settings (README / infer.py): 30 Euler steps, guidance 5, both scales 0.8. */
export const REFERENCE_DEFAULTS = {
  steps: 30,
  guidance: 5,
  scheduler: "euler",
  adapterScale: DEFAULT_ADAPTER_SCALE,
  identityNetScale: DEFAULT_IDENTITYNET_SCALE,
  strength: 0.8,
  vaeScalingFactor: 0.13025,
} as const;
