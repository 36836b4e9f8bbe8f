/**
 * The public API (docs/concepts.md teaches it): face analysis, identities, keypoint images, the Image Adapter,
 * IdentityNet and other ControlNets, the hooks a runner drives, graph patching, model files, errors and tensors.
 * Each name is re-exported from the core's internal module so that every entry of the package shares one copy.
 */
export { ErrorCode, InstantIdError } from "./internal.js";
export type { ProgressEvent, ProgressListener, ProgressPreview } from "./internal.js";
// Tensors and images
export { tensor, readSafetensors, writeSafetensors, SafetensorsFile } from "./internal.js";
export type { Tensor } from "./internal.js";
export { loadImage, encodePng, savePng, saveImages } from "./internal.js";
export type { ImageInput, RgbImage } from "./internal.js";
export { configureRuntime } from "./internal.js";
export type { Device, RuntimeSettings } from "./internal.js";
// Face analysis
export { FaceAnalysis, loadFaceModelManifest, largestFace, keypointsFromImage } from "./internal.js";
export type {
  FaceAnalysisOptions,
  FaceAnalyzer,
  Face,
  Detection,
  BBox,
  FiveKeypoints,
  Point,
  Embedding,
  KeypointSource,
} from "./internal.js";
// Identities
export { createIdentity, saveIdentity, loadIdentity, mixIdentities, identityEmbeds, modelRef } from "./internal.js";
export type { Identity, IdentitySource, CreateIdentityOptions, LoadIdentityOptions, CombineMode } from "./internal.js";
// Keypoint images and face regions
export { renderKeypoints, DEFAULT_KEYPOINT_COLORS, fitKeypoints, retargetKeypoints, workingSize, drawFacePreview } from "./internal.js";
export type { RenderKeypointsOptions, KeypointStyle, RetargetOptions, WorkingSizeOptions, CanvasSize } from "./internal.js";
export { faceRegionMask } from "./internal.js";
export type { RegionMask, FaceRegionMaskOptions, MaskInput } from "./internal.js";
// The Image Adapter
export { loadImageAdapter, Resampler, computeImageTokens, precomputeIpKV, SDXL_UNET, crossAttentionSites } from "./internal.js";
export type { ImageAdapterWeights, ImageTokens, ImageTokenOptions, IpLayerKV } from "./internal.js";
// IdentityNet, other ControlNets and the UNet
export { loadControlNet, createControlNetHook, convertControlNet, loadUnet, runUnet } from "./internal.js";
export type {
  ControlNetModel,
  LoadControlNetOptions,
  ControlNetHook,
  ControlNetHookOptions,
  ControlImage,
  GuidanceWindow,
} from "./internal.js";
export type { ConvertControlNetOptions, ConvertedControlNet, UnetModel, LoadUnetOptions } from "./internal.js";
// Hooks
export { createImageAdapterHook, createIdentityNetHook, composeHooks, HookRegistry } from "./internal.js";
export type { ImageAdapterHookOptions, ImageAdapterIdentity, IdentityNetHookOptions, IdentityNetIdentity } from "./internal.js";
export type { GenerationHook, GenerationContext, StepContext, StepContribution, ControlResiduals } from "./internal.js";
// Graph patching
export { patchImageAdapter, patchControlNetResiduals } from "./internal.js";
export type { PatchImageAdapterOptions, PatchedUnet, PatchControlNetResidualsOptions, ResidualPatchedUnet } from "./internal.js";
// Several people in one picture
export {
  createComposition,
  createCompositionHooks,
  drawCompositionPreview,
  compositionPatchOptions,
  compositionRegionMasks,
  toLocalHooks,
} from "./internal.js";
export type { Composition, CompositionOptions, CompositionIdentityOptions, CompositionHookOptions } from "./internal.js";
// Text prompts
export { SdxlTextEncoder, sdxlTextModels } from "./internal.js";
export type { SdxlTextModels, EncodePromptOptions, PromptConditioning, PromptWarning } from "./internal.js";
// Model files
export { modelCatalog, pullModels, checkModels, openCheckpoint } from "./internal.js";
export type { PullModelsOptions, PullModelsResult, CheckModelsOptions, ModelsCheckReport } from "./internal.js";
