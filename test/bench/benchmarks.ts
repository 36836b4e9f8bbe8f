import { adapterBenchmark } from "./adapter.bench.js";
import type { Benchmark } from "./benchmark.js";
import { faceBenchmark } from "./face.bench.js";
import { composeBenchmark } from "./compose.bench.js";
import { identityNetBenchmark } from "./identitynet.bench.js";
import { kpsBenchmark } from "./kps.bench.js";
import { onnxBenchmarks } from "./onnx.bench.js";
import { runnerBenchmark } from "./runner.bench.js";
import { runnerScaleBenchmark } from "./scale.bench.js";

/** Every benchmark `npm run bench` runs; each capability adds its own. */
export const benchmarks: readonly Benchmark[] = [
  faceBenchmark,
  kpsBenchmark,
  adapterBenchmark,
  ...onnxBenchmarks,
  identityNetBenchmark,
  runnerBenchmark,
  runnerScaleBenchmark,
  composeBenchmark,
];
