// The hook contract every runner drives, and how hooks compose.
export type { GenerationContext, StepContext, ControlResiduals, StepContribution, GenerationHook } from "./types.js";
export { composeHooks, mergeContributions, HookRegistry } from "./compose.js";
export { addResidualsInto, residualBytes, residualTensors } from "./residuals.js";
