import {
  buildHook,
  generate,
  generateInWorker,
  locateWorkerScript,
  type GenerateOptions,
  type GenerateResult,
  type HookModuleSpec,
} from "../onnx-sdxl/index.js";
import type { CliIo } from "./command.js";
import { createProgressBar } from "./progress-bar.js";

function hasWorker(): boolean {
  try {
    locateWorkerScript();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a generation for a CLI command with a progress bar: from the built package in the runner's
 * worker thread (hooks built there from their specs), from the sources (tests) in-process with the
 * same hooks built here.
 */
export async function runGeneration(
  options: GenerateOptions,
  hooks: readonly HookModuleSpec[],
  io: CliIo,
  signal: AbortSignal,
): Promise<GenerateResult> {
  const onProgress = createProgressBar(io);
  const result = hasWorker()
    ? await generateInWorker(options, { hooks, onProgress, signal })
    : await generate(options, { hooks: await Promise.all(hooks.map((spec) => buildHook(spec))), onProgress, signal });
  for (const warning of result.warnings) io.stderr(`warning: ${warning.message} [${warning.code}]\n`);
  return result;
}
