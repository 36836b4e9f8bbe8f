import type { ProgressListener } from "../../../core/index.js";
import type { GenerationJob } from "../job.js";
import type { GenerationOutput } from "../result-store.js";

/** Per-job controls a worker hands its backend: where progress goes and when to stop. */
export interface BackendControls {
  readonly onProgress?: ProgressListener;
  /**
   * Previews wanted about every this many steps (0 or unset: none). The local runner makes one every this
   * many steps; a server backend asks its server for its live previews (the worker thins them out).
   */
  readonly previewEvery?: number;
  /** Fires when the worker shuts down without waiting, or the job is cancelled: stop and reject. */
  readonly signal?: AbortSignal;
}

/**
 * What runs a job: the reference runner on this machine, or the A1111 / ComfyUI server beside it. It
 * keeps what is costly to set up (loaded weights, a server's model list) between jobs. Faults it throws
 * are InstantIdErrors; `details.retryable` says whether another attempt may succeed.
 */
export interface GenerationBackend {
  readonly name: string;
  run(job: GenerationJob, controls: BackendControls): Promise<GenerationOutput>;
  /** Releases what the backend holds; the worker calls it once, after its last job. */
  close?(): Promise<void>;
}

/**
 * What a server tells about itself (its models, its capabilities), asked once and kept for the next jobs; a
 * failed answer is not kept, so the next job asks again (the server may have been starting).
 */
export function askedOnce<T>(ask: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () =>
    (answer ??= ask().catch((error: unknown) => {
      answer = undefined;
      throw error;
    }));
}
