import { ErrorCode, InstantIdError, toInstantIdError, type GenerationHook } from "../../../core/index.js";

// Entry of the runner's worker thread (built as dist/runner-worker.js): builds the hooks, runs
// generate() here so ONNX Runtime's blocking run() never stalls the caller's event loop.
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort } from "node:worker_threads";
import { generate } from "../generate.js";
import { createInstantIdHook } from "../instantid-hook.js";
import type { HookModuleSpec, RunRequest, WorkerMessage } from "./protocol.js";

// Hook factories bundled with the worker, addressed as "builtin:<name>" (no import needed).
const builtins: Record<string, (options: never) => Promise<GenerationHook> | GenerationHook> = {
  instantid: createInstantIdHook,
};

async function buildHook(spec: HookModuleSpec): Promise<GenerationHook> {
  if (spec.module.startsWith("builtin:")) {
    const factory = builtins[spec.module.slice("builtin:".length)];
    if (!factory) throw new InstantIdError(ErrorCode.InvalidOption, `Unknown built-in hook ${spec.module}; built-ins are ${Object.keys(builtins).map((n) => `builtin:${n}`).join(", ")}.`);
    return factory(spec.options as never);
  }
  const specifier = isAbsolute(spec.module) ? pathToFileURL(spec.module).href : spec.module;
  const name = spec.export ?? "default";
  let factory: unknown;
  try {
    factory = ((await import(specifier)) as Record<string, unknown>)[name];
  } catch (error) {
    throw new InstantIdError(ErrorCode.InvalidOption, `The worker could not import hook module ${spec.module}: ${(error as Error).message}. Give an absolute path or an installed package name.`, { cause: error });
  }
  if (typeof factory !== "function") {
    throw new InstantIdError(ErrorCode.InvalidOption, `Hook module ${spec.module} has no function export "${name}"; export a factory (options) => GenerationHook.`);
  }
  return (await factory(spec.options)) as GenerationHook;
}

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
