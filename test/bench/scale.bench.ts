import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRunner, type RunnerRequest } from "../../adapters/onnx-sdxl/runner.js";
import { buildSyntheticUnet } from "../../core/synthetic/unet.js";
import { SDXL_WIDTH_UNET } from "../../core/synthetic/unet-config.js";
import { writeSyntheticModel } from "../../core/synthetic/write-model.js";
import { tensor } from "../../core/tensor/tensor.js";
import type { Benchmark, BenchResult } from "./benchmark.js";
import { peakRssDuring } from "./benchmark.js";

/** A 64² step slower than this leaves the 128² one (16× the 32² work, about 4× the 64²) out: it would take minutes here. */
const LARGEST_STEP_BUDGET_MS = 30_000;

const request = (latent: number): RunnerRequest => ({
  prompt: {
    embeds: tensor([1, 77, 2048], new Float32Array(77 * 2048).fill(0.05)),
    pooled: tensor([1, 1280], new Float32Array(1280).fill(0.1)),
  },
  width: latent * 8,
  height: latent * 8,
  steps: 1,
  seed: 1,
});

/**
 * The long-lived runner at scale on the SDXL-width synthetic UNet (SDXL's 320/640/1280 widths and heads, one
 * transformer block per attention, residual inputs fed zeros): session creation (first open, optimized and
 * saved, against the next start from the saved model), one guided step at latents 32², 64², 128² (1024²),
 * and peak RSS of a 1024² generation.
 */
async function measure(dir: string): Promise<BenchResult[]> {
  const unet = join(dir, "unet.onnx");
  await writeSyntheticModel(unet, buildSyntheticUnet(SDXL_WIDTH_UNET));
  const optimizedModelDir = join(dir, "optimized");
  const rows: BenchResult[] = [];

  const first = createRunner({ models: { unet }, worker: false, optimizedModelDir });
  const cold = await first.generate(request(32));
  await first.close();
  const runner = createRunner({ models: { unet }, worker: false, optimizedModelDir });
  try {
    const warm = await runner.generate(request(32));
    rows.push({
      name: "runner: UNet session from the saved optimized model (optimizedModelDir), SDXL-width synthetic UNet",
      value: warm.timings.sessionMs,
      unit: "ms",
      baselineName: "first start (optimize at level all + save)",
      baseline: cold.timings.sessionMs,
      goal: "ratio < 1 (the next start skips the optimizer)",
      met: warm.timings.sessionMs < cold.timings.sessionMs,
    });
    const again = await runner.generate(request(32));
    rows.push({
      name: "runner: session time of a second generation on the same runner",
      value: again.timings.sessionMs,
      unit: "ms",
      baselineName: "first start of the runner",
      baseline: warm.timings.sessionMs,
      goal: "0 (sessions kept between generations)",
      met: again.timings.sessionMs === 0,
    });
    const base = again.timings.denoiseMs;
    let previous = base;
    for (const latent of [64, 128]) {
      if (latent === 128 && previous > LARGEST_STEP_BUDGET_MS) {
        rows.push({
          name:
            `runner step at latent ${latent}² (${latent * 8}²): skipped, the ${latent / 2}² step took ` +
            `${(previous / 1000).toFixed(1)} s on this machine`,
          value: Number.NaN,
          unit: "ms",
          baselineName: "latent 32² step",
          baseline: base,
          goal: "ratio ≈ latent area ratio",
        });
        continue;
      }
      // The first call at a size allocates its buffers and zero residuals: its peak is what a generation needs.
      const { before, peak } = await peakRssDuring(() => runner.generate(request(latent)));
      const step = (await runner.generate(request(latent))).timings.denoiseMs;
      rows.push({
        name: `runner step at latent ${latent}² (${latent * 8}² px, CFG batch 2, zero residuals reused)`,
        value: step,
        unit: "ms",
        baselineName: "latent 32² step",
        baseline: base,
        goal: `ratio ≈ ${(latent / 32) ** 2} (area) or more (attention is quadratic)`,
      });
      if (latent === 128) {
        rows.push({
          name: "runner: peak RSS during the first 1024² generation (1 step, sessions open, buffers allocated, no VAE)",
          value: peak / 2 ** 20,
          unit: "MB",
          baselineName: "RSS before it (UNet session open)",
          baseline: before / 2 ** 20,
          goal: "reported: what one generation adds",
        });
      }
      previous = step;
    }
  } finally {
    await runner.close();
  }
  return rows;
}

/** How the runner's cost grows with the latent, and what a long-lived runner saves at start. */
export const runnerScaleBenchmark: Benchmark = {
  name: "runner scale",
  available: () => true,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "instantid-bench-"));
    try {
      return await measure(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
