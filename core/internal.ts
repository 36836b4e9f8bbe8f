/**
 * Everything the core offers, for the package's own adapters (the boundary test lets them import it). Not a
 * public API: names here may change in any release. Applications import the package root, which re-exports the
 * curated part of this module; builders of synthetic models and conformance runs live behind "instantid/testing".
 */
export { ErrorCode, InstantIdError, invalidOption, toInstantIdError } from "./errors.js";
export { parseOptions } from "./validate.js";
export {
  isTensor,
  isRgbImage,
  isRegionMask,
  tensorSchema,
  rgbImageSchema,
  controlImageSchema,
  maskSchema,
  maskOrImageSchema,
} from "./schemas.js";
export type { ProgressEvent, ProgressListener, ProgressPreview } from "./progress.js";
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
export { assertEncodedImage, encodedImageFormat } from "./image/format.js";
export type { EncodedImageFormat } from "./image/format.js";
export { previewFromImage, previewFromEncoded, fitPreview } from "./image/preview.js";
export type { PreviewLimits } from "./image/preview.js";
export { DEFAULT_ADAPTER_SCALE, DEFAULT_IDENTITYNET_SCALE } from "./defaults.js";
export { MAX_STRENGTH, strengthSchema, adapterScaleSchema, identityNetScaleSchema } from "./strength.js";
export { writeFileAtomic, writeAtomically, writeStreamAtomic, writeFully, tempPathFor } from "./io/atomic.js";
export { prepareFile, renameTogether, writeFilesTogether } from "./io/atomic.js";
export type { PreparedFile } from "./io/atomic.js";
export { sha256File, sha256Hex, sha256Hasher, hashFileInto } from "./io/sha256.js";
export { imageInfoPath, imagePaths, saveImages } from "./io/save-images.js";
export { loadSession, toOrtTensor, fromOrtTensor, runSession } from "./runtime/session.js";
export type { OrtSession, LoadSessionOptions } from "./runtime/session.js";
export { configureRuntime, currentDevice, parseDevice, DEFAULT_DEVICE } from "./runtime/device.js";
export type { Device, RuntimeSettings } from "./runtime/device.js";
export { SessionPool, optimizedModelPath } from "./runtime/session-pool.js";
export type { SessionContext, SessionOpening, SessionPoolOptions } from "./runtime/session-pool.js";
export { graphIo, formatDims, dimsCompatible } from "./runtime/graph-io.js";
export type { Dim, GraphIo } from "./runtime/graph-io.js";
export * from "./http/index.js";
export * from "./hooks/index.js";
export * from "./masks/index.js";
export * from "./unet/index.js";
export * from "./controlnet/index.js";
export * from "./instantid/index.js";
export * from "./models/index.js";
export * from "./face/index.js";
export * from "./checkpoint/index.js";
export * from "./image-adapter/index.js";
export * from "./onnx/index.js";
export * from "./patch/index.js";
export * from "./kps/index.js";
export * from "./identity/index.js";
export * from "./compose/index.js";
export * from "./convert/index.js";
export * from "./text/index.js";
export * from "./synthetic/index.js";
export * from "./conformance/index.js";
