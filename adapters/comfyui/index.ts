export { createComfyClient } from "./client.js";
export type {
  ComfyClient,
  ComfyClientOptions,
  ComfyFilesOptions,
  ComfyImage,
  ComfyResult,
  ComfyRunOptions,
  ComfySavedImage,
  HistoryEntry,
} from "./client.js";
export { buildInstantIdWorkflow, COMFY_MAX_IP_WEIGHT, comfyOptionsSchema } from "./workflow.js";
export { comfyWorkflowFromComposition, comfyWorkflowFromIdentity, contentName, uncoveredPixels, uploadPlacer } from "./from-core.js";
export type { ComfyCompositionOptions, ComfyIdentityOptions, ComfyPlacer } from "./from-core.js";
export type { ComfyGenerationOptions, ComfyIdentity } from "./workflow.js";
export { assertWorkflowFits, findWorkflowProblems } from "./check.js";
export type { WorkflowProblem } from "./check.js";
export { chooseModels } from "./models.js";
export type { ComfyModels } from "./models.js";
export { WorkflowGraph } from "./graph.js";
export type { ApiNode, ApiPrompt, NodeOutput } from "./graph.js";
export { inputKind, nodeInputs, outputNames } from "./object-info.js";
export type { InputKind, InputSpec, NodeInfo, ObjectInfo } from "./object-info.js";
export { PromptFollower, executionError } from "./follow.js";
export type { PromptOutcome } from "./follow.js";
export { imageUploadForm } from "./multipart.js";
export * from "./generated/nodes.js";
export { objectInfoSnapshot } from "./snapshot.js";
