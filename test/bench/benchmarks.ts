import { a1111Benchmark } from "./a1111.bench.js";
import { adapterBenchmark } from "./adapter.bench.js";
import type { Benchmark } from "./benchmark.js";
import { checkpointBenchmark } from "./checkpoint.bench.js";
import { faceBenchmark } from "./face.bench.js";
import { composeBenchmark } from "./compose.bench.js";
import { convertBenchmark } from "./convert.bench.js";
import { identityNetBenchmark } from "./identitynet.bench.js";
import { kpsBenchmark } from "./kps.bench.js";
import { onnxBenchmarks } from "./onnx.bench.js";
import { queueBenchmark } from "./queue.bench.js";
import { residualPatchBenchmark } from "./residuals.bench.js";
import { runnerBenchmark } from "./runner.bench.js";
import { textBenchmark } from "./text.bench.js";
import { runnerScaleBenchmark } from "./scale.bench.js";

/** Every benchmark `npm run bench` runs; each capability adds its own. */
export const benchmarks: readonly Benchmark[] = [
  faceBenchmark,
  kpsBenchmark,
  adapterBenchmark,
  checkpointBenchmark,
  ...onnxBenchmarks,
  residualPatchBenchmark,
  identityNetBenchmark,
  runnerBenchmark,
  runnerScaleBenchmark,
  composeBenchmark,
  convertBenchmark,
  queueBenchmark,
  textBenchmark,
  a1111Benchmark,
];
