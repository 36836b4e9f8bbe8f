// The two InstantID hooks: the Image Adapter's face tokens and IdentityNet's residuals.
export { createImageAdapterHook } from "./image-adapter-hook.js";
export type { ImageAdapterHookOptions, ImageAdapterIdentity } from "./image-adapter-hook.js";
export { createIdentityNetHook } from "./identitynet-hook.js";
export type { IdentityNetHookOptions, IdentityNetIdentity } from "./identitynet-hook.js";
