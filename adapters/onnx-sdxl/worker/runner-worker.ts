// Entry of the runner's worker thread (built as dist/runner-worker.js): keeps one session pool for
// every generation it is sent, builds each generation's hooks with it, and runs generate() here so
// ONNX Runtime's blocking run() never stalls the caller's event loop.
import { parentPort } from "node:worker_threads";
import { configureRuntime } from "../../../core/index.js";
import { toInstantIdError } from "../../../core/internal.js";
import { InProcessBackend } from "../runner.js";
import type { WorkerRequest, WorkerMessage } from "./protocol.js";

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

let backend: InProcessBackend | undefined;
const running = new Map<number, AbortController>();
// Generations run one after another even when the next request arrives while one runs (after an abort).
let queue: Promise<void> = Promise.resolve();

async function run(request: Extract<WorkerRequest, { type: "run" }>, controller: AbortController): Promise<void> {
  try {
    backend ??= new InProcessBackend({});
    const result = await backend.generate(request.options, {
      hooks: request.hooks,
      signal: controller.signal,
      previewEvery: request.previewEvery,
      onProgress: (event) => post({ type: "progress", id: request.id, event }),
    });
    post({ type: "done", id: request.id, result }, [result.latent.data.buffer as ArrayBuffer, result.image.data.buffer as ArrayBuffer]);
  } catch (thrown) {
    const error = toInstantIdError(thrown);
    post({
      type: "error",
      id: request.id,
      code: error.code,
      message: error.message,
      details: error.details as Record<string, unknown> | undefined,
    });
  } finally {
    running.delete(request.id);
  }
}

parentPort!.on("message", async (request: WorkerRequest) => {
  if (request.type === "init") {
    // This thread's own process-wide default: every session opened here (hooks' too) takes the runner's device.
    if (request.settings.device !== undefined) configureRuntime({ device: request.settings.device });
    backend = new InProcessBackend(request.settings);
  } else if (request.type === "run") {
    const controller = new AbortController();
    running.set(request.id, controller);
    queue = queue.then(() => run(request, controller));
  } else if (request.type === "abort") running.get(request.id)?.abort();
  else if (request.type === "sessions") post({ type: "sessions", id: request.id, opened: backend ? await backend.sessions() : [] });
  else {
    await queue;
    await backend?.close();
    post({ type: "closed" });
    parentPort!.close();
  }
});
