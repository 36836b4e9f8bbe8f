export { createA1111Client } from "./client.js";
export type { A1111Client, A1111ClientOptions, A1111Result, GenerateCallOptions } from "./client.js";
export { detectServer } from "./detect.js";
export { assumedCapabilities, embeddingModules, instantIdModelNames, keypointsModule } from "./capabilities.js";
export { buildGenerationRequest, generationSchema } from "./request.js";
export type { A1111Request, GenerationOptions } from "./request.js";
export { identityUnits, toBase64 } from "./units.js";
export { pollProgress } from "./progress.js";
export type { A1111Flavour, ControlNetUnit, EmbeddingEncoder, IdentityFace, IdentitySpec, ServerCapabilities } from "./types.js";
