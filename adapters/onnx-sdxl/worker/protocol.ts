import { type ProgressEvent } from "../../../core/index.js";
import type { GenerateResult } from "../generate.js";
import type { createInstantIdHook } from "../instantid-hook.js";
import type { GenerateOptions } from "../options.js";

/**
 * A hook built inside the worker (hooks hold sessions and closures, which cannot cross threads):
 * the worker imports `module` (a package name, a file path or a file: URL), calls its export
 * `export` (default "default") with `options`, and uses the GenerationHook it returns.
 * `module: "builtin:instantid"` needs no import: it is {@link createInstantIdHook} with
 * `InstantIdHookOptions`; `module: "builtin:composition"` is the core's `createCompositionHooks` with
 * `CompositionHookOptions` (a multi-identity composition and its precomputed tokens).
 */
export interface HookModuleSpec {
  readonly module: string;
  readonly export?: string;
  /** Structured-cloneable options (paths, numbers, tensors, images). */
  readonly options?: unknown;
}

/** Main thread → worker: run one generation. */
export interface RunRequest {
  readonly type: "run";
  readonly options: GenerateOptions;
  readonly hooks: readonly HookModuleSpec[];
}

/** Worker → main thread. */
export type WorkerMessage =
  | { readonly type: "progress"; readonly event: ProgressEvent }
  | { readonly type: "done"; readonly result: GenerateResult }
  | { readonly type: "error"; readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
