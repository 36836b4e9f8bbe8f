/** The queue's defaults, in one place: what a producer and a worker agree on unless told otherwise. */
export const QUEUE_DEFAULTS = {
  /** BullMQ queue name; producers and workers must use the same one. */
  queueName: "instantid",
  /** Where a folder result store writes when no folder is given (it must be shared by producers and workers). */
  resultsDir: "instantid-results",
  /** Attempts per job: the first run plus retries after retryable backend faults (5xx, dropped connections). */
  attempts: 5,
  /** Exponential backoff before retry n: delay × 2^(n−1) milliseconds. */
  backoffMs: 2000,
  /** Jobs a worker runs at once; one GPU runs one generation at a time. */
  concurrency: 1,
  /**
   * How long a worker's claim on a job lasts without renewal (BullMQ lockDuration); a worker renews it
   * every half of this while it works, so a killed worker's job is handed on after about this long.
   */
  lockDurationMs: 30_000,
  /** How often workers look for jobs whose worker went silent (BullMQ stalledInterval). */
  stalledIntervalMs: 30_000,
  /** How many times one job may be recovered from a silent worker before it is failed instead. */
  maxStalledCount: 2,
  /**
   * Previews in job progress (opt-in: `previewEvery`) are cut to this longest side and PNG size, or left out:
   * BullMQ keeps progress in Redis, in the job and in the events stream (up to its maxLen entries).
   */
  previewMaxSide: 256,
  previewMaxBytes: 48 * 1024,
  /** Default sampling settings of a job (the InstantID reference's). */
  steps: 30,
  cfg: 5,
} as const;
