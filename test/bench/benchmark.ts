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

/** Peak resident memory of this process while `fn` runs, sampled from a worker thread (the patch blocks the main one). */
export async function peakRssDuring(fn: () => Promise<unknown>): Promise<{ before: number; peak: number }> {
  const { Worker } = await import("node:worker_threads");
  const sampler = new Worker(
    `const { parentPort } = require("node:worker_threads"); let peak = 0;
     const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
     parentPort.on("message", () => { clearInterval(timer); parentPort.postMessage(Math.max(peak, process.memoryUsage.rss())); });`,
    { eval: true },
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = process.memoryUsage.rss();
  await fn();
  const peak = await new Promise<number>((resolve) => {
    sampler.once("message", resolve);
    sampler.postMessage("stop");
  });
  await sampler.terminate();
  return { before, peak };
}
