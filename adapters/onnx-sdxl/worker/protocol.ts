import type { Device, ProgressEvent } from "../../../core/index.js";
import type { SessionOpening } from "../../../core/internal.js";
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

/** Main thread → worker: its settings (first message), a generation, a cancellation, a question, or the end. */
export type WorkerRequest =
  | { readonly type: "init"; readonly settings: RunnerSettings }
  | {
      readonly type: "run";
      readonly id: number;
      readonly options: GenerateOptions;
      readonly hooks: readonly HookModuleSpec[];
      readonly previewEvery?: number;
    }
  | { readonly type: "abort"; readonly id: number }
  | { readonly type: "sessions"; readonly id: number }
  | { readonly type: "close" };

/** Worker → main thread, each answer naming the request it answers. */
export type WorkerMessage =
  | { readonly type: "progress"; readonly id: number; readonly event: ProgressEvent }
  | { readonly type: "done"; readonly id: number; readonly result: GenerateResult }
  | { readonly type: "sessions"; readonly id: number; readonly opened: readonly SessionOpening[] }
  | {
      readonly type: "error";
      readonly id: number;
      readonly code: string;
      readonly message: string;
      readonly details?: Record<string, unknown>;
    }
  | { readonly type: "closed" };

/** The runner's settings as they cross to its worker (plain data). */
export interface RunnerSettings {
  readonly device?: Device;
  readonly intraOpThreads?: number;
  readonly optimizedModelDir?: string;
}
