import type { ProgressListener } from "../../core/index.js";
import type { SessionOpening } from "../../core/internal.js";
import type { GenerateResult } from "./generate.js";
import type { GenerateOptions } from "./options.js";
import type { HookModuleSpec } from "./worker/protocol.js";

/** Per-generation controls of a runner. */
export interface RunnerControls {
  /** Hooks built for this generation (inside the worker, when there is one), with the runner's session pool. */
  readonly hooks?: readonly HookModuleSpec[];
  readonly onProgress?: ProgressListener;
  /**
   * A preview on the progress event every this many denoising steps and at the last (see `GenerateControls.previewEvery`); default none.
   */
  readonly previewEvery?: number;
  /** Cancels this generation (between steps); the runner and its sessions stay usable. */
  readonly signal?: AbortSignal;
}

/** What runs the generations: this thread, or the worker. */
export interface RunnerBackend {
  generate(options: GenerateOptions, controls: RunnerControls): Promise<GenerateResult>;
  sessions(): Promise<readonly SessionOpening[]>;
  close(): Promise<void>;
}
