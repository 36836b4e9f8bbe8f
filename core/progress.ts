/** A progress report from long work: which stage, how far along, and an optional note. */
export interface ProgressEvent {
  readonly stage: string;
  readonly completed: number;
  readonly total: number;
  readonly message?: string;
}

/** A callback that receives {@link ProgressEvent}s. */
export type ProgressListener = (event: ProgressEvent) => void;
