// ONNX graphs: reading and writing models (external data untouched) and the Image Adapter patch.
export { decodeModel, encodeModel, readModel, writeModel, OnnxDataType } from "./model.js";
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxTensor, OnnxAttribute, OnnxValueInfo, OnnxDimension, OnnxEntry, Int64 } from "./model.js";
export { externalDataLocations, relocateExternalData } from "./external-data.js";
export { patchGraph, imageAdapterInputNames } from "./patch-graph.js";
export type { ImageAdapterGraphOptions, ImageAdapterInputs, PatchedBlock } from "./patch-graph.js";
export { patchImageAdapter } from "./patch-image-adapter.js";
export type { PatchImageAdapterOptions, PatchedUnet } from "./patch-image-adapter.js";
export { patchControlNetResiduals } from "./patch-controlnet-residuals.js";
export type { PatchControlNetResidualsOptions, ResidualPatchedUnet } from "./patch-controlnet-residuals.js";
export { controlNetResidualInputNames } from "./controlnet-residuals.js";
export type { ControlNetResidualInputs } from "./controlnet-residuals.js";
