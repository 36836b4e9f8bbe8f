// diffusers ControlNetModel (InstantX's IdentityNet) → ONNX, built from config.json, weights streamed from safetensors.
export { convertControlNet } from "./convert.js";
export type { ConvertControlNetOptions, ConvertedControlNet } from "./convert.js";
export type { WeightDType } from "./checkpoint-weights.js";
export { parseControlNetConfig, controlNetConfigSchema } from "./config.js";
export type { ControlNetConfig } from "./config.js";
export { CONTROLNET_OUTPUTS } from "./graph.js";
export { CONTROLNET_WEIGHT_FILES } from "./checkpoint-files.js";
