export type { GenerationContext, StepContext, ControlResiduals, StepContribution, GenerationHook } from "./types.js";
export { composeHooks, mergeContributions, HookRegistry } from "./compose.js";
export { addResidualsInto, residualBytes, residualTensors } from "./residuals.js";
export { createImageAdapterHook } from "./image-adapter-hook.js";
export type { ImageAdapterHookOptions, ImageAdapterIdentity } from "./image-adapter-hook.js";
