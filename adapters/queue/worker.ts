import { WaitingError, Worker, type ConnectionOptions, type Job } from "bullmq";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { parseOptions, toInstantIdError } from "../../core/internal.js";
import type { GenerationBackend } from "./backends/backend.js";
import { QUEUE_DEFAULTS } from "./defaults.js";
import { isRetryable, toQueueFailure } from "./failure.js";
import { parseGenerationJob } from "./job.js";
import { progressReporter } from "./progress.js";
import { folderResultStore, type ResultStore, type StoredResult } from "./result-store.js";

/** What a finished job returns into Redis: where its result lies, not the result. */
export interface GenerationReceipt {
  readonly stored: StoredResult;
  readonly backend: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** What a worker reports about its jobs, for logs. */
export type WorkerEvent =
  | { readonly type: "started"; readonly jobId: string; readonly attempt: number }
  | { readonly type: "completed"; readonly jobId: string; readonly attempt: number }
  | {
      readonly type: "failed";
      readonly jobId: string;
      readonly attempt: number;
      readonly error: InstantIdError;
      readonly willRetry: boolean;
    }
  | { readonly type: "returned"; readonly jobId: string };

/** Options of {@link startGenerationWorker}. */
export interface GenerationWorkerOptions {
  /** The Redis server, e.g. `{ url: "redis://10.0.0.5:6379" }`, or an ioredis client. */
  readonly connection: ConnectionOptions;
  readonly backend: GenerationBackend;
  /** Default "instantid". */
  readonly queueName?: string;
  /** BullMQ key prefix (default BullMQ's, "bull"). */
  readonly prefix?: string;
  /** Jobs at once (default 1: one GPU). */
  readonly concurrency?: number;
  /** Default the folder store at `instantid-results`. */
  readonly store?: ResultStore;
  /** How long this worker's claim on a job lasts unrenewed (default 30 s): a killed worker's job is handed on after about this long. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs of silent workers (default 30 s). */
  readonly stalledIntervalMs?: number;
  /** Recoveries from silent workers one job may have before it is failed (default 2). */
  readonly maxStalledCount?: number;
  /**
   * Previews in job progress about every this many steps, and at the last (default 0: none). Each is cut to
   * `previewLimits` (default 256 px, 48 KiB of PNG) or left out: progress lives in Redis.
   */
  readonly previewEvery?: number;
  readonly previewLimits?: { readonly maxSide?: number; readonly maxBytes?: number };
  readonly onEvent?: (event: WorkerEvent) => void;
}

/** A running worker. */
export interface GenerationWorker {
  /** The BullMQ worker, for its events and metrics. */
  readonly worker: Worker;
  /**
   * Stops taking jobs and resolves once stopped: by default after the jobs in hand finish; with
   * `returnJobs`, their backends are told to stop and the jobs go back to the queue for another
   * worker, without counting as an attempt.
   */
  close(options?: { readonly returnJobs?: boolean }): Promise<void>;
}

const previewOptions = z.object({
  previewEvery: z.number().int().min(0).default(0),
  previewLimits: z
    .object({
      maxSide: z.number().int().min(16).default(QUEUE_DEFAULTS.previewMaxSide),
      maxBytes: z.number().int().min(1024).default(QUEUE_DEFAULTS.previewMaxBytes),
    })
    .default({ maxSide: QUEUE_DEFAULTS.previewMaxSide, maxBytes: QUEUE_DEFAULTS.previewMaxBytes }),
});

/**
 * Starts a worker that takes generation jobs from the queue and runs them on `backend`: each job's data
 * is validated (a malformed or newer job fails at once with INVALID_INPUT and the queue moves on),
 * progress goes to the job, the result to the store, and faults the typed error marks retryable are
 * retried by BullMQ with backoff (the seed is in the job, so every attempt makes the same picture).
 */
export function startGenerationWorker(options: GenerationWorkerOptions): GenerationWorker {
  const store = options.store ?? folderResultStore();
  const emit = options.onEvent ?? (() => undefined);
  const { previewEvery, previewLimits: limits } = parseOptions(previewOptions, options, "generation worker options");
  let returning = false;

  const processJob = async (job: Job, token?: string, signal?: AbortSignal): Promise<GenerationReceipt> => {
    const jobId = job.id!;
    const attempt = job.attemptsMade + 1;
    emit({ type: "started", jobId, attempt });
    try {
      const data = parseGenerationJob(job.data);
      const progress = progressReporter({ write: (record) => job.updateProgress(record), previewEvery, limits });
      const output = await options.backend.run(data, { onProgress: progress.listener, previewEvery, signal });
      await progress.settled(); // the last step's record is written before the job completes
      if (!output.images.length)
        throw new InstantIdError(ErrorCode.Server, `The ${options.backend.name} backend returned no image for job ${jobId}`, {
          details: { retryable: true },
        });
      const stored = await store.put(jobId, output);
      emit({ type: "completed", jobId, attempt });
      return { stored, backend: options.backend.name, attempt };
    } catch (error) {
      if (returning && signal?.aborted) {
        await job.moveToWait(token);
        emit({ type: "returned", jobId });
        throw new WaitingError();
      }
      const typed = toInstantIdError(error);
      emit({ type: "failed", jobId, attempt, error: typed, willRetry: isRetryable(typed) && attempt < (job.opts.attempts ?? 1) });
      throw toQueueFailure(typed);
    }
  };

  const worker = new Worker(options.queueName ?? QUEUE_DEFAULTS.queueName, processJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? QUEUE_DEFAULTS.concurrency,
    lockDuration: options.lockDurationMs ?? QUEUE_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? QUEUE_DEFAULTS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? QUEUE_DEFAULTS.maxStalledCount,
  });
  // BullMQ reports connection trouble as "error" events; without a listener Node would end the process.
  worker.on("error", () => undefined);

  let closing: Promise<void> | undefined;
  return {
    worker,
    close(closeOptions = {}) {
      if (closeOptions.returnJobs) {
        returning = true;
        worker.cancelAllJobs("the worker is shutting down; the job goes back to the queue");
      }
      closing ??= worker.close().then(async () => options.backend.close?.());
      return closing;
    },
  };
}
