/** One timed stage of the demo. */
export interface StageTiming {
  readonly stage: string;
  readonly ms: number;
  /** What the stage produced or used, in a few words. */
  readonly note?: string;
}

/** Records how long each stage takes, in order. */
export class StageTimer {
  readonly stages: StageTiming[] = [];

  /** Runs `work`, recording its wall time under `stage`; `note` may describe the result. */
  async time<T>(stage: string, work: () => Promise<T> | T, note?: (result: T) => string | undefined): Promise<T> {
    const start = performance.now();
    const result = await work();
    this.stages.push({ stage, ms: performance.now() - start, note: note?.(result) });
    return result;
  }

  /** The sum of all stages, in milliseconds. */
  totalMs(): number {
    return this.stages.reduce((sum, s) => sum + s.ms, 0);
  }
}
