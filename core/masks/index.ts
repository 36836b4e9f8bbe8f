// Region masks both InstantID hooks take: a face's region at canvas size, and any mask as a tensor.
export { resizeMaskBilinear, maskSize, maskTensor } from "./mask-tensor.js";
export type { MaskInput } from "./mask-tensor.js";
export { faceRegionMask } from "./face-mask.js";
export type { RegionMask, FaceRegionMaskOptions } from "./face-mask.js";
