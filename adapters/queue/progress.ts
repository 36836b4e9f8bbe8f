import { z } from "zod";
import type { ProgressEvent, ProgressListener, ProgressPreview } from "../../core/index.js";
import { fitPreview, type PreviewLimits } from "../../core/internal.js";

/** A progress event as it lies in Redis (job progress is JSON): the preview's PNG as base64. */
const queuedProgress = z.object({
  stage: z.string(),
  completed: z.number(),
  total: z.number(),
  message: z.string().optional(),
  preview: z.object({ png: z.string(), width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
});

type QueuedProgress = z.infer<typeof queuedProgress>;

/** The progress event a producer hands on, from job progress data; undefined for data of another shape (a job's own updateProgress). */
export function readQueuedProgress(data: unknown): ProgressEvent | undefined {
  const parsed = queuedProgress.safeParse(data);
  if (!parsed.success) return undefined;
  const { preview, message, ...steps } = parsed.data;
  const png = preview && new Uint8Array(Buffer.from(preview.png, "base64"));
  return {
    ...steps,
    ...(message !== undefined && { message }),
    ...(preview && png!.length > 0 && { preview: { png: png!, width: preview.width, height: preview.height } }),
  };
}

function queued(event: ProgressEvent, preview: ProgressPreview | undefined): QueuedProgress {
  return {
    stage: event.stage,
    completed: event.completed,
    total: event.total,
    ...(event.message ? { message: event.message } : {}),
    ...(preview && { preview: { png: Buffer.from(preview.png).toString("base64"), width: preview.width, height: preview.height } }),
  };
}

/** What a job's progress reporter sends where, and how often a preview may ride along. */
export interface ProgressReporting {
  /** Writes one progress record (BullMQ's job.updateProgress). */
  readonly write: (progress: QueuedProgress) => Promise<unknown>;
  /** A preview at most every this many steps, and the last step's; 0 or unset: none. */
  readonly previewEvery?: number;
  readonly limits: PreviewLimits;
}

/** A job's progress listener and a promise of everything it has written so far. */
export interface ProgressReporter {
  readonly listener: ProgressListener;
  /** Resolves once every record passed so far is written (or failed: progress is a courtesy). */
  settled(): Promise<void>;
}

/**
 * Passes a backend's progress on to the job, in order: previews thinned to one per `previewEvery` steps
 * (a server's live previews may come far more often) and fitted into the size limits (one that cannot fit
 * is left out); an event that would only repeat the last record is not written again.
 */
export function progressReporter(reporting: ProgressReporting): ProgressReporter {
  const every = reporting.previewEvery ?? 0;
  let written: Promise<void> = Promise.resolve();
  let lastPreviewAt = 0;
  let last = "";
  const listener: ProgressListener = (event) => {
    const wanted =
      event.preview !== undefined && every > 0 && (event.completed - lastPreviewAt >= every || event.completed === event.total);
    if (wanted) lastPreviewAt = event.completed;
    written = written.then(async () => {
      const record = queued(event, wanted ? await fitPreview(event.preview!, reporting.limits) : undefined);
      const key = JSON.stringify(record);
      if (key === last) return;
      last = key;
      await reporting.write(record).catch(() => undefined);
    });
  };
  return { listener, settled: () => written };
}
