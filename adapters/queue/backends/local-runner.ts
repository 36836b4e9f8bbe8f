import { buildHook, generate, generateInWorker, locateWorkerScript, type GenerateOptions, type GenerateResult, type HookModuleSpec } from "../../onnx-sdxl/index.js";
import type { BackendControls } from "./backend.js";

/**
 * What the local backend needs from the reference runner: one generation, hooks given as specs
 * (built where the generation runs). This seam is where a long-lived runner that keeps its ONNX
 * sessions between generations plugs in: `createLocalRunner` is the one line to change.
 */
export interface LocalRunner {
  run(options: GenerateOptions, hooks: readonly HookModuleSpec[], controls: BackendControls): Promise<GenerateResult>;
  close?(): Promise<void>;
}

function hasWorkerScript(): boolean {
  try {
    locateWorkerScript();
    return true;
  } catch {
    return false;
  }
}

/**
 * A runner per generation: from the built package each job runs in the runner's worker thread (so
 * the queue's lock renewal keeps running beside it), from the sources in this thread.
 */
export function perGenerationRunner(): LocalRunner {
  const inWorker = hasWorkerScript();
  return {
    async run(options, hooks, controls) {
      if (inWorker) return generateInWorker(options, { hooks, onProgress: controls.onProgress, signal: controls.signal });
      return generate(options, { hooks: await Promise.all(hooks.map(buildHook)), onProgress: controls.onProgress, signal: controls.signal });
    },
  };
}

/** The runner the local backend uses unless given one. */
export const createLocalRunner: () => LocalRunner = perGenerationRunner;
