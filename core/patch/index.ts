// Graph patching: the Image Adapter's attention and ControlNet residual inputs written into existing UNet graphs.
export { patchGraph, imageAdapterInputNames } from "./patch-graph.js";
export type { ImageAdapterGraphOptions, ImageAdapterInputs, PatchedBlock } from "./patch-graph.js";
export { patchImageAdapter } from "./patch-image-adapter.js";
export type { PatchImageAdapterOptions, PatchedUnet } from "./patch-image-adapter.js";
export { patchControlNetResiduals } from "./patch-controlnet-residuals.js";
export type { PatchControlNetResidualsOptions, ResidualPatchedUnet } from "./patch-controlnet-residuals.js";
export { controlNetResidualInputNames } from "./controlnet-residuals.js";
export type { ControlNetResidualInputs } from "./controlnet-residuals.js";
