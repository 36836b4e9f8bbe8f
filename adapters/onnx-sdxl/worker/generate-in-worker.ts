import { ErrorCode, InstantIdError, type ProgressListener } from "../../../core/index.js";
import { currentDevice, parseOptions } from "../../../core/internal.js";
import type { GenerateResult } from "../generate.js";
import { generateOptionsSchema, type GenerateOptions } from "../options.js";
import type { HookModuleSpec } from "./protocol.js";
import { checkPreviewEvery } from "../latent-preview.js";
import { abortError, WorkerClient } from "./worker-client.js";

export { locateWorkerScript } from "./worker-client.js";

/** Settings of {@link generateInWorker}. */
export interface WorkerControls {
  /** Hooks to build in the worker, in order. */
  readonly hooks?: readonly HookModuleSpec[];
  readonly onProgress?: ProgressListener;
  /**
   * A preview on the progress event every this many denoising steps and at the last (see `GenerateControls.previewEvery`); default none.
   */
  readonly previewEvery?: number;
  /** Aborting terminates the worker at once; the promise rejects with code ABORTED. */
  readonly signal?: AbortSignal;
  /** The worker script; defaults to `runner-worker.js` beside this bundle (dist/). */
  readonly workerScript?: string | URL;
}

/**
 * Runs {@link generate} in a worker thread, so the caller's event loop keeps serving (ONNX Runtime's
 * run() blocks the thread it runs on). Each call starts its own worker and ends it when done; to
 * keep sessions and the worker between generations, use `createRunner`.
 */
export async function generateInWorker(options: GenerateOptions, controls: WorkerControls = {}): Promise<GenerateResult> {
  parseOptions(generateOptionsSchema, options, "generate options");
  checkPreviewEvery(controls.previewEvery);
  const signal = controls.signal;
  if (signal?.aborted) throw abortError(signal, "the worker was stopped");
  const client = new WorkerClient({ intraOpThreads: options.intraOpThreads, device: currentDevice() }, controls.workerScript);
  const onAbort = (): void => void client.terminate(abortError(signal!, "the worker was stopped"));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await client.generate(options, { hooks: controls.hooks, onProgress: controls.onProgress, previewEvery: controls.previewEvery });
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await client.terminate(new InstantIdError(ErrorCode.Internal, "The runner's worker was ended."));
  }
}
