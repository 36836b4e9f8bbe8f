// The wrap-session codemod as its own entry (instantid/diffusers-js/codemod): its types name ts-morph,
// an optional peer dependency, so instantid/diffusers-js stays free of it.
export { findUnetRunCalls, openProject, wrapSessionEdits, WRAP_IMPORT } from "./find-unet-runs.js";
export type { UnetRunCall, WrapEdit, WrapSessionPlan } from "./find-unet-runs.js";
