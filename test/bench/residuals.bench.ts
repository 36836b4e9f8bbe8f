import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeModel, encodeModel } from "../../core/onnx/index.js";
import { patchControlNetResiduals } from "../../core/patch/index.js";
import { buildSyntheticUnet } from "../../core/synthetic/unet.js";
import { SDXL_WIDTH_UNET, TINY_UNET, type SyntheticUnetConfig } from "../../core/synthetic/unet-config.js";
import { writeSyntheticModel } from "../../core/synthetic/write-model.js";
import type { Benchmark, BenchResult } from "./benchmark.js";
import { medianMs, peakRssDuring } from "./benchmark.js";

// SDXL's full depth (70 attn2 blocks, nine skips), laid out as optimum exports it: no residual inputs, SDPA attention.
const SDXL_DEPTH = { transformerLayers: [0, 2, 10] as const };
const SDXL: SyntheticUnetConfig = { ...SDXL_WIDTH_UNET, ...SDXL_DEPTH };
// The same graph (same nodes) at tiny widths: about 1/100 of the weights.
const NARROW: SyntheticUnetConfig = { ...TINY_UNET, ...SDXL_DEPTH };

interface Measured {
  readonly nodes: number;
  readonly seconds: number;
  readonly growthMb: number;
  readonly weightsMb: number;
  readonly roundTripMs: number;
}

/** Writes the UNet (weights by size only, in a sparse side file the patch never reads) and patches it once. */
async function measure(config: SyntheticUnetConfig, dir: string): Promise<Measured> {
  const model = buildSyntheticUnet(
    config,
    { virtual: true, externalFile: "model.onnx_data" },
    { residualInputs: false, attention: "sdpa" },
  );
  const unet = join(dir, "model.onnx");
  await writeSyntheticModel(unet, model);
  const roundTripMs = await medianMs(async () => encodeModel(decodeModel(await readFile(unet))), 3, 1);
  const start = process.hrtime.bigint();
  const rss = await peakRssDuring(() => patchControlNetResiduals(unet, { cache: false }));
  return {
    nodes: model.graph.node.length,
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    growthMb: (rss.peak - rss.before) / 2 ** 20,
    weightsMb: (await stat(join(dir, "model.onnx_data"))).size / 2 ** 20,
    roundTripMs,
  };
}

/** Patching ControlNet residual inputs into an SDXL-size UNet export: seconds, and memory that does not grow with the weights. */
export const residualPatchBenchmark: Benchmark = {
  name: "onnx: residual inputs patched into an SDXL-size UNet",
  available: () => true,
  async run(): Promise<BenchResult[]> {
    const dirs = [await mkdtemp(join(tmpdir(), "instantid-bench-")), await mkdtemp(join(tmpdir(), "instantid-bench-"))];
    try {
      const narrow = await measure(NARROW, dirs[0]);
      const sdxl = await measure(SDXL, dirs[1]);
      return [
        {
          name:
            `patch residual inputs into an SDXL-size UNet (${sdxl.nodes} nodes, ${(sdxl.weightsMb / 1024).toFixed(1)} GB ` +
            `external weights)`,
          value: sdxl.seconds * 1000,
          unit: "ms",
          baselineName: "decode + encode the same graph",
          baseline: sdxl.roundTripMs,
          goal: "seconds (< 30 s)",
          met: sdxl.seconds < 30,
        },
        {
          name: "peak RSS growth while patching, SDXL weights",
          value: sdxl.growthMb,
          unit: "MB",
          baselineName: `the same graph with ${Math.round(narrow.weightsMb)} MB weights`,
          baseline: narrow.growthMb,
          goal: "ratio < 2 (independent of the weights)",
          met: sdxl.growthMb < 2 * Math.max(narrow.growthMb, 1),
        },
        {
          name: "peak RSS growth while patching, against the weights",
          value: sdxl.growthMb,
          unit: "MB",
          baselineName: "UNet weights in external data (never read)",
          baseline: sdxl.weightsMb,
          goal: "ratio < 0.05",
          met: sdxl.growthMb / sdxl.weightsMb < 0.05,
        },
      ];
    } finally {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  },
};
