// Entry of the runner's worker thread (built as dist/runner-worker.js): builds the hooks, runs
// generate() here so ONNX Runtime's blocking run() never stalls the caller's event loop.
import { parentPort } from "node:worker_threads";
import { toInstantIdError } from "../../../core/index.js";
import { generate } from "../generate.js";
import { buildHook } from "./hook-modules.js";
import type { RunRequest, WorkerMessage } from "./protocol.js";

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

parentPort!.on("message", async (request: RunRequest) => {
  try {
    const hooks = await Promise.all(request.hooks.map(buildHook));
    const result = await generate(request.options, { hooks, onProgress: (event) => post({ type: "progress", event }) });
    post({ type: "done", result }, [result.latent.data.buffer as ArrayBuffer, result.image.data.buffer as ArrayBuffer]);
  } catch (thrown) {
    const error = toInstantIdError(thrown);
    post({ type: "error", code: error.code, message: error.message, details: error.details as Record<string, unknown> | undefined });
  }
});
