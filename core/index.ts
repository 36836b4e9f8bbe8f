// The public entry point: everything a host application or an adapter may use.
export { ErrorCode, InstantIdError, invalidOption, toInstantIdError } from "./errors.js";
export { parseOptions } from "./validate.js";
export type { ProgressEvent, ProgressListener } from "./progress.js";
export { tensor, reshape, sizeOf, assertShape } from "./tensor/tensor.js";
export type { Tensor } from "./tensor/tensor.js";
export type { DType } from "./tensor/dtype.js";
export { halfToFloat, floatToHalf, decodeToFloat32 } from "./tensor/dtype.js";
export { SafetensorsFile, readSafetensors, encodeSafetensors, writeSafetensors, parseSafetensorsHeader } from "./tensor/safetensors.js";
export type { SafetensorsEntry, SafetensorsHeader } from "./tensor/safetensors.js";
export { blankImage } from "./image/rgb-image.js";
export type { RgbImage } from "./image/rgb-image.js";
export { loadImage, encodePng, savePng } from "./image/io.js";
export type { ImageInput, RawPixels } from "./image/io.js";
export { writeFileAtomic } from "./io/atomic.js";
export { conformanceKinds, runConformance } from "./conformance/index.js";
export type { ConformanceContext, ConformanceKind, ConformanceSummary, RunConformanceOptions } from "./conformance/index.js";
export * from "./unet/index.js";
