import { randomInt } from "node:crypto";
import { QueueEvents, type Queue } from "bullmq";
import { ErrorCode, InstantIdError, type ProgressEvent } from "../../core/index.js";
import { readQueuedProgress } from "./progress.js";
import { QUEUE_DEFAULTS } from "./defaults.js";
import { failureError } from "./failure.js";
import { toGenerationJob, type GenerationJob, type GenerationRequest } from "./job.js";
import { folderResultStore, type GenerationOutput, type ResultStore, type StoredResult } from "./result-store.js";
import type { GenerationReceipt } from "./worker.js";

/** BullMQ's job name for generations (one queue may carry other work too). */
export const GENERATION_JOB_NAME = "instantid.generate";

/** How a job is queued: its id (re-enqueueing an id already queued adds nothing), retries and priority. */
export interface EnqueueOptions {
  /** Default: BullMQ's next id. Give your own (no ":") to make enqueueing idempotent. */
  readonly jobId?: string;
  /** Attempts in all, the first run included (default 5). */
  readonly attempts?: number;
  /** First retry delay, doubled for each further retry (default 2000 ms). */
  readonly backoffMs?: number;
  /** BullMQ priority: 1 is the highest; jobs without one come first. */
  readonly priority?: number;
}

/**
 * Validates a generation and puts it on the queue; returns its job id. The seed is fixed here (drawn
 * when the request has none), so every attempt on every worker makes the same picture.
 * @throws InstantIdError INVALID_INPUT naming the fields at fault; nothing is queued then.
 * @example
 * const queue = new Queue("instantid", { connection: { url: "redis://127.0.0.1:6379" } });
 * const id = await enqueueGeneration(queue, { width: 1024, height: 1024, prompt: "a portrait", identities: [{ identity: me }] });
 * const { images, report } = await waitForResult(queue, id, { onProgress: (p) => console.log(p.completed, "/", p.total) });
 */
export async function enqueueGeneration(queue: Queue, request: GenerationRequest, options: EnqueueOptions = {}): Promise<string> {
  const job: GenerationJob = toGenerationJob(request, () => randomInt(0, 0xffffffff));
  const added = await queue.add(GENERATION_JOB_NAME, job, {
    jobId: options.jobId,
    attempts: options.attempts ?? QUEUE_DEFAULTS.attempts,
    backoff: { type: "exponential", delay: options.backoffMs ?? QUEUE_DEFAULTS.backoffMs },
    priority: options.priority,
  });
  return added.id!;
}

/**
 * A progress report of a queued job: its stage and steps (as the CLI's progress bar shows them), and a
 * `preview` (PNG bytes and size) on some of them when the worker runs with `previewEvery`.
 */
export interface GenerationProgress extends ProgressEvent {
  readonly jobId: string;
}

/** What {@link waitForResult} returns: the job's PNG images and report, read from the result store. */
export interface GenerationResult extends GenerationOutput {
  readonly jobId: string;
  /** Where the result lies in the store. */
  readonly stored: StoredResult;
  /** Which backend made it, and on which attempt. */
  readonly backend: string;
  readonly attempt: number;
}

/** Options of {@link waitForResult}. */
export interface WaitOptions {
  /** Where workers put results; default the folder store at `instantid-results`. */
  readonly store?: ResultStore;
  /** A QueueEvents of this queue to listen on (share one when waiting for many jobs); default one made and closed here. */
  readonly events?: QueueEvents;
  readonly onProgress?: (progress: GenerationProgress) => void;
  /** Give up after this long (default: wait as long as it takes). */
  readonly timeoutMs?: number;
}

type Outcome = { readonly returnvalue: unknown } | { readonly failedReason: string } | { readonly timedOut: true };

/**
 * The job's receipt once it completes (or its typed error once it fails): listens for its events
 * first, then asks for its state, so an outcome reached in between is not missed.
 */
async function finished(
  events: QueueEvents,
  jobId: string,
  timeoutMs: number | undefined,
  current: () => Promise<Outcome | undefined>,
): Promise<GenerationReceipt> {
  let settle: (outcome: Outcome) => void = () => undefined;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  // QueueEvents also emits each outcome under the job's own name, `completed:<id>` / `failed:<id>`.
  const names = { completed: `completed:${jobId}` as "completed", failed: `failed:${jobId}` as "failed" };
  const onCompleted = ({ returnvalue }: { returnvalue: unknown }): void => settle({ returnvalue });
  const onFailed = ({ failedReason }: { failedReason: string }): void => settle({ failedReason });
  events.on(names.completed, onCompleted as never);
  events.on(names.failed, onFailed as never);
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => settle({ timedOut: true }), timeoutMs);
  try {
    await events.waitUntilReady();
    const result = (await current()) ?? (await outcome);
    if ("timedOut" in result) {
      throw new InstantIdError(
        ErrorCode.Aborted,
        `Gave up waiting for generation job ${jobId} after ${timeoutMs} ms; it may still finish (wait again with its id).`,
      );
    }
    if ("failedReason" in result) throw failureError(result.failedReason, jobId);
    return (typeof result.returnvalue === "string" ? JSON.parse(result.returnvalue) : result.returnvalue) as GenerationReceipt;
  } finally {
    clearTimeout(timer);
    events.off(names.completed, onCompleted as never);
    events.off(names.failed, onFailed as never);
  }
}

/**
 * Waits for a job to finish (it may have finished already) and reads its images and report from the
 * result store, passing progress on while it runs.
 * @throws InstantIdError with the job's own code when it failed (after its retries); INVALID_INPUT for an unknown id; ABORTED on timeout.
 */
export async function waitForResult(queue: Queue, jobId: string, options: WaitOptions = {}): Promise<GenerationResult> {
  const events = options.events ?? new QueueEvents(queue.name, { connection: queue.opts.connection, prefix: queue.opts.prefix });
  const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }): void => {
    const progress = id === jobId ? readQueuedProgress(data) : undefined;
    if (progress) options.onProgress?.({ ...progress, jobId });
  };
  if (options.onProgress) events.on("progress", onProgress);
  try {
    const job = await queue.getJob(jobId);
    if (!job)
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `Queue ${queue.name} has no job ${jobId}: it was never added, or removed after finishing (removeOnComplete).`,
      );
    const receipt = await finished(events, jobId, options.timeoutMs, async () => {
      const state = await job.getState();
      if (state !== "completed" && state !== "failed") return undefined;
      const now = (await queue.getJob(jobId))!;
      return state === "completed" ? { returnvalue: now.returnvalue } : { failedReason: now.failedReason };
    });
    const output = await (options.store ?? folderResultStore()).get(receipt.stored);
    return { ...output, jobId, stored: receipt.stored, backend: receipt.backend, attempt: receipt.attempt };
  } finally {
    events.off("progress", onProgress);
    if (!options.events) await events.close();
  }
}
