import type { ProgressListener } from "../../../core/index.js";
import type { GenerationJob } from "../job.js";
import type { GenerationOutput } from "../result-store.js";

/** Per-job controls a worker hands its backend: where progress goes and when to stop. */
export interface BackendControls {
  readonly onProgress?: ProgressListener;
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
