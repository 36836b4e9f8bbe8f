import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ErrorCode, InstantIdError, parseOptions, type ErrorCode as Code, type ProgressListener } from "../../../core/index.js";
import type { GenerateResult } from "../generate.js";
import { generateOptionsSchema, type GenerateOptions } from "../options.js";
import type { HookModuleSpec, RunRequest, WorkerMessage } from "./protocol.js";

/** Settings of {@link generateInWorker}. */
export interface WorkerControls {
  /** Hooks to build in the worker, in order. */
  readonly hooks?: readonly HookModuleSpec[];
  readonly onProgress?: ProgressListener;
  /** Aborting terminates the worker at once; the promise rejects with code ABORTED. */
  readonly signal?: AbortSignal;
  /** The worker script; defaults to `runner-worker.js` beside this bundle (dist/). */
  readonly workerScript?: string | URL;
}

/** The built worker script beside the running bundle, or an error saying how to get one. */
export function locateWorkerScript(): URL {
  const url = new URL("./runner-worker.js", import.meta.url);
  if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  throw new InstantIdError(
    ErrorCode.Internal,
    `The runner's worker script ${url.href} does not exist: generateInWorker runs from the built package (npm run build writes dist/runner-worker.js). From TypeScript sources, build it and pass workerScript, or call generate() in-process.`,
  );
}

/**
 * Runs {@link generate} in a worker thread, so the caller's event loop keeps serving (ONNX Runtime's
 * run() blocks the thread it runs on). Each call starts its own worker and ends it when done.
 */
export function generateInWorker(options: GenerateOptions, controls: WorkerControls = {}): Promise<GenerateResult> {
  parseOptions(generateOptionsSchema, options, "generate options");
  if (controls.signal?.aborted) return Promise.reject(abortError(controls.signal));
  const worker = new Worker(controls.workerScript ?? locateWorkerScript());
  return new Promise<GenerateResult>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      controls.signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      settle();
    };
    const onAbort = (): void => finish(() => reject(abortError(controls.signal!)));
    controls.signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") controls.onProgress?.(message.event);
      else if (message.type === "done") finish(() => resolve(message.result));
      else finish(() => reject(new InstantIdError(message.code as Code, message.message, { details: message.details })));
    });
    worker.on("error", (error) => finish(() => reject(new InstantIdError(ErrorCode.Internal, `The runner's worker thread failed: ${error.message}`, { cause: error }))));
    worker.on("exit", (code) => finish(() => reject(new InstantIdError(ErrorCode.Internal, `The runner's worker thread exited (code ${code}) before finishing.`))));
    const request: RunRequest = { type: "run", options, hooks: controls.hooks ?? [] };
    worker.postMessage(request);
  });
}

function abortError(signal: AbortSignal): InstantIdError {
  return new InstantIdError(ErrorCode.Aborted, "Generation was cancelled (its AbortSignal fired); the worker was stopped.", { cause: signal.reason });
}
