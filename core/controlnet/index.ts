// ControlNets at run time (IdentityNet, canny, depth, pose): loading, one call, residual scaling, the hooks.
export { createControlNetHook } from "./controlnet-hook.js";
export type { ControlNetHookOptions } from "./controlnet-hook.js";
export { createControlUnitsHook } from "./control-hook.js";
export type { ControlNetHook, ControlUnit, StepTraffic } from "./control-hook.js";
export { loadControlNet, controlNetFromSession, defaultControlNetInputs } from "./controlnet-model.js";
export type { ControlNetModel, ControlNetInputNames, LoadControlNetOptions } from "./controlnet-model.js";
export { runControlNet } from "./run.js";
export type { ControlNetFeeds } from "./run.js";
export { controlKeep } from "./gating.js";
export type { GuidanceWindow } from "./gating.js";
export { scaleInPlace, multiplyPlaneInPlace, addScaledInto, addPlaneInto } from "./residual-arithmetic.js";
export { controlImageTensor, stackRows } from "./control-image.js";
export type { ControlImage } from "./control-image.js";
export { checkResidualLink } from "./residual-link.js";
