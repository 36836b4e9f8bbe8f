/** One row of the `npm run bench` table: a measured figure beside a baseline measured in the same run. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baselineName: string;
  readonly baseline: number;
  /** What the issue asks for, in words, e.g. "ratio < 0.10". */
  readonly goal: string;
  /** value / baseline unless the benchmark says otherwise. */
  readonly ratio?: number;
  readonly met?: boolean;
  /**
   * Where the figure that decides "met" comes from: measured in this run (default) or quoted from an
   * issue or paper. A quoted figure never decides "met": the table shows "quoted" instead.
   */
  readonly decidedBy?: "same run" | "quoted";
}

/** A benchmark: a name and a function that measures and returns one or more rows. */
export interface Benchmark {
  readonly name: string;
  /** True when it can run here (e.g. the reference models exist); otherwise `skipReason` says why not. */
  available(): boolean;
  readonly skipReason?: string;
  run(): Promise<BenchResult[]>;
}

/** Median wall time in milliseconds of `fn` over `runs` runs after `warmup` unmeasured ones. */
export async function medianMs(fn: () => unknown, runs = 10, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
