// InstantID for JS runners that hold a UNet session with run(feeds) (diffusers.js, ONNX Runtime's examples).
export { wrapUnetModel, wrapUnetSession } from "./wrap-session.js";
export type { UnetFeedNames, WrapSessionOptions, WrappedSession } from "./wrap-session.js";
export { detectRows } from "./batch-order.js";
export type { RowOrder, Rows, SeparateCalls } from "./batch-order.js";
export { createStepTracker } from "./step-tracker.js";
export type { StepPosition } from "./step-tracker.js";
export type { SessionLike, TensorLike } from "./session-like.js";
// The wrap-session codemod is its own entry, instantid/diffusers-js/codemod (its types need ts-morph).
