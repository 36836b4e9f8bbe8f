import {
  buildHook,
  createRunner,
  generate,
  generateInWorker,
  locateWorkerScript,
  type GenerateOptions,
  type GenerateResult,
  type HookModuleSpec,
} from "../../onnx-sdxl/index.js";
import type { BackendControls } from "./backend.js";

/**
 * What the local backend needs from the reference runner: one generation, hooks given as specs
 * (built where the generation runs). This seam is where a long-lived runner that keeps its ONNX
 * sessions between generations plugs in: {@link createLocalRunner} is the default.
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
      const { onProgress, previewEvery, signal } = controls;
      if (inWorker) return generateInWorker(options, { hooks, onProgress, previewEvery, signal });
      return generate(options, { hooks: await Promise.all(hooks.map((spec) => buildHook(spec))), onProgress, previewEvery, signal });
    },
  };
}

/**
 * The reference runner kept warm between jobs (`createRunner`): its UNet, IdentityNet and VAE sessions,
 * and its worker thread when the built package has one, are opened by the first job and reused by the
 * next; `close()` (the worker's shutdown) releases them.
 */
export function warmRunner(): LocalRunner {
  const runner = createRunner({ worker: hasWorkerScript() });
  return {
    run: (options, hooks, { onProgress, previewEvery, signal }) => runner.generate(options, { hooks, onProgress, previewEvery, signal }),
    close: () => runner.close(),
  };
}

/** The runner the local backend uses unless given one. */
export const createLocalRunner: () => LocalRunner = warmRunner;
