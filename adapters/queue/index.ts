// Generation across many machines: InstantID jobs on a BullMQ queue (Redis), run by workers on the
// reference runner or beside an A1111 / ComfyUI server. Needs the optional peer dependencies bullmq and ioredis.
export { GENERATION_JOB_VERSION, generationJobSchema, parseGenerationJob } from "./job.js";
export type { GenerationJob, GenerationRequest } from "./job.js";
export { enqueueGeneration, waitForResult, GENERATION_JOB_NAME } from "./producer.js";
export type { EnqueueOptions, GenerationProgress, GenerationResult, WaitOptions } from "./producer.js";
export { startGenerationWorker } from "./worker.js";
export type { GenerationReceipt, GenerationWorker, GenerationWorkerOptions, WorkerEvent } from "./worker.js";
export { folderResultStore } from "./result-store.js";
export type { GenerationOutput, ResultStore, StoredResult } from "./result-store.js";
export { isRetryable, failureError } from "./failure.js";
export { jobComposition } from "./job-composition.js";
export type { BackendControls, GenerationBackend } from "./backends/backend.js";
export { a1111Backend } from "./backends/a1111.js";
export type { A1111BackendOptions } from "./backends/a1111.js";
export { comfyuiBackend } from "./backends/comfyui.js";
export type { ComfyBackendOptions } from "./backends/comfyui.js";
export { localBackend } from "./backends/local.js";
export type { LocalBackendOptions } from "./backends/local.js";
export { createLocalRunner, perGenerationRunner, warmRunner } from "./backends/local-runner.js";
export type { LocalRunner } from "./backends/local-runner.js";
export { QUEUE_DEFAULTS } from "./defaults.js";
