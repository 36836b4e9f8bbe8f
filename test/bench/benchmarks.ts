import { adapterBenchmark } from "./adapter.bench.js";
import type { Benchmark } from "./benchmark.js";

/** Every benchmark `npm run bench` runs; each capability adds its own. */
export const benchmarks: readonly Benchmark[] = [
  adapterBenchmark,
];
