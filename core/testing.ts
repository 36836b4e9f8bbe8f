/**
 * "instantid/testing": models with seeded random weights (an SDXL-shaped UNet, IdentityNet, VAE decoder and Image
 * Adapter) for demos, tests and benchmarks, and the conformance runner that checks the SDK against reference data.
 * Re-exported from the core's internal module so that every entry of the package shares one copy.
 */
export {
  buildSyntheticModels,
  buildSyntheticUnet,
  SYNTHETIC_UNET_RESIDUALS,
  buildSyntheticControlNet,
  SYNTHETIC_CONTROLNET_OUTPUTS,
  buildSyntheticVaeDecoder,
  syntheticImageAdapter,
  TINY_RESAMPLER,
  TINY_UNET,
  SDXL_WIDTH_UNET,
  describeSyntheticUnet,
  downSkips,
  RANDOM_WEIGHTS_NOTICE,
  RandomWeights,
  TorchGraph,
  scopePath,
  writeSyntheticModel,
  writeRandomControlNet,
  SDXL_CONTROLNET_CONFIG,
  conformanceKinds,
  runConformance,
} from "./internal.js";
export type {
  SyntheticModels,
  BuildSyntheticModelsOptions,
  SyntheticUnetLayout,
  AttentionStyle,
  SyntheticResamplerConfig,
  SyntheticUnetConfig,
  AttentionWeights,
  GraphWeightsOptions,
  RandomControlNetOptions,
  RunConformanceOptions,
  ConformanceContext,
  ConformanceKind,
  ConformanceSummary,
} from "./internal.js";
