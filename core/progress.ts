/**
 * A small picture of the work so far (a preview, not the result): PNG bytes and their size. Backends make
 * them only when asked (`previewEvery`, `previews: true`), since each one costs a decode or an encode.
 */
export interface ProgressPreview {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A progress report from long work: which stage, how far along, an optional note, and a preview where one was asked for. */
export interface ProgressEvent {
  readonly stage: string;
  readonly completed: number;
  readonly total: number;
  readonly message?: string;
  readonly preview?: ProgressPreview;
}

/** A callback that receives {@link ProgressEvent}s. */
export type ProgressListener = (event: ProgressEvent) => void;
