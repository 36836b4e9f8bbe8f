// Synthetic models with seeded random weights (SDXL-shaped UNet, IdentityNet, VAE decoder, Image Adapter) for demos, tests and benchmarks.
export { buildSyntheticModels } from "./build-models.js";
export type { SyntheticModels, BuildSyntheticModelsOptions } from "./build-models.js";
export { buildSyntheticUnet, SYNTHETIC_UNET_RESIDUALS } from "./unet.js";
export type { SyntheticUnetLayout } from "./unet.js";
export type { AttentionStyle } from "./attention-styles.js";
export { buildSyntheticControlNet, SYNTHETIC_CONTROLNET_OUTPUTS } from "./controlnet.js";
export { buildSyntheticVaeDecoder } from "./vae-decoder.js";
export { syntheticImageAdapter, TINY_RESAMPLER } from "./image-adapter.js";
export type { SyntheticResamplerConfig } from "./image-adapter.js";
export { TINY_UNET, SDXL_WIDTH_UNET, describeSyntheticUnet, downSkips } from "./unet-config.js";
export type { SyntheticUnetConfig } from "./unet-config.js";
export { RANDOM_WEIGHTS_NOTICE } from "./random-notice.js";
export { RandomWeights } from "./random-weights.js";
export { TorchGraph, scopePath } from "./torch-graph.js";
export type { AttentionWeights } from "./torch-graph.js";
export { writeSyntheticModel } from "./write-model.js";
export type { GraphWeightsOptions } from "./layers.js";
