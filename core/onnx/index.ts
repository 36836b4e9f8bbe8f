// ONNX graphs: reading and writing models, external data untouched.
export { decodeModel, encodeModel, readModel, writeModel, OnnxDataType } from "./model.js";
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxTensor, OnnxAttribute, OnnxValueInfo, OnnxDimension, OnnxEntry, Int64 } from "./model.js";
export { externalDataLocations, relocateExternalData } from "./external-data.js";
