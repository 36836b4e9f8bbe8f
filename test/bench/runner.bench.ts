import type { StepContext } from "../../core/hooks/types.js";
import { loadControlNet } from "../../core/controlnet/controlnet-model.js";
import { createIdentityNetHook } from "../../core/instantid/identitynet-hook.js";
import { tensor, type Tensor } from "../../core/tensor/tensor.js";
import { callUnet } from "../../adapters/onnx-sdxl/unet-step.js";
import { openUnet } from "../../adapters/onnx-sdxl/unet.js";
import { type Benchmark, type BenchResult, medianMs } from "./benchmark.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadImageAdapter } from "../../core/image-adapter/checkpoint.js";
import { composeHooks } from "../../core/hooks/compose.js";
import { createImageAdapterHook } from "../../core/instantid/image-adapter-hook.js";
import { patchImageAdapter } from "../../core/patch/patch-image-adapter.js";
import { buildSyntheticModels } from "../../core/synthetic/build-models.js";
import { SDXL_WIDTH_UNET } from "../../core/synthetic/unet-config.js";

// 256 px output (latent 32 × 32: the SDXL-width synthetic UNet has resnets and attention, so 1024 px
// takes many seconds per step on a small CPU), the batch [uncond, cond] of classifier-free guidance.
const LATENT = 32;

function filled(shape: number[], value: number): Tensor {
  return tensor(shape, new Float32Array(shape.reduce((a, b) => a * b)).fill(value));
}

async function stepCost(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "instantid-bench-"));
  try {
    return await measure(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<BenchResult[]> {
  // core/synthetic's SDXL-width UNet (320/640/1280, 11 attn2 blocks), its IdentityNet and Image Adapter. One
  // transformer block per attention (SDXL: 2 and 10) makes the up path lighter than SDXL's, so the IdentityNet's
  // share, and the ratio, come out higher than on the real UNet.
  const models = await buildSyntheticModels(dir, { unet: { ...SDXL_WIDTH_UNET, latentSize: { height: LATENT, width: LATENT } } });
  const patched = await patchImageAdapter(models.unet, await loadImageAdapter(models.imageAdapter));
  const unet = await openUnet(models.unet);
  const patchedUnet = await openUnet(patched.modelPath!);
  const step: StepContext = {
    index: 0,
    total: 30,
    sample: filled([2, 4, LATENT, LATENT], 0.3),
    timestep: tensor([1], [500]),
    promptEmbeds: filled([2, 77, 2048], 0.05),
    textEmbeds: filled([2, 1280], 0.1),
    timeIds: tensor([2, 6], [256, 256, 0, 0, 256, 256, 256, 256, 0, 0, 256, 256]),
  };
  // The core's IdentityNet hook on the synthetic ControlNet, as InstantID runs it: face tokens in
  // the cond row, Resampler(0) tokens in the uncond row, the keypoint image, scale 0.8.
  // Plus the Image Adapter hook on the patched UNet (scale 0.8): the whole of InstantID per step.
  const face = { faceTokens: filled([1, 16, 2048], 0.1), uncondFaceTokens: filled([1, 16, 2048], 0.02) };
  const identityNet = createIdentityNetHook({
    model: await loadControlNet(models.identityNet),
    unet: unet.residualInputs,
    identities: [{ ...face, keypointImage: filled([1, 3, LATENT * 8, LATENT * 8], 0.5), identityNetScale: 0.8 }],
  });
  const hook = composeHooks(
    identityNet,
    createImageAdapterHook({ identities: [{ ...face, adapterScale: 0.8 }], inputNames: patched.inputs }),
  );
  await hook.prepare?.({ rows: ["uncond", "cond"], width: LATENT * 8, height: LATENT * 8, steps: 30 });
  // Interleaved pairs: on a shared 2-core machine the background load drifts by 2-3x within a minute, so
  // timing all plain steps and then all InstantID steps measured the drift, not InstantID (3.13x at 22:26).
  const pairs = await interleaved(
    [() => callUnet(unet, undefined, step), () => identityNet.beforeStep(step), () => callUnet(patchedUnet, hook, step)],
    5,
  );
  const [plain, identityNetPass, instantId] = pairs.map(median);
  const ratio = median(pairs[2].map((ms, i) => ms / pairs[0][i]));
  const share = median(pairs[1].map((ms, i) => ms / pairs[0][i]));
  const px = LATENT * 8;
  return [
    {
      name:
        `runner step with InstantID (IdentityNet + image attention, core hooks), SDXL-width synthetic UNet/IdentityNet, ` +
        `${px} px, CFG batch; ratio = median of interleaved pairs`,
      value: instantId,
      unit: "ms",
      baselineName: "plain UNet step in the same runner",
      baseline: plain,
      ratio,
      goal: "ratio ≤ 1.5",
      met: ratio <= 1.5,
    },
    {
      // The synthetic IdentityNet is the synthetic UNet's encoder + mid (same config, no up blocks), as SDXL's
      // ControlNet is SDXL's: counted, ~27 of ~72 GMAC per sample here (the up path has 3 resnets per block on
      // concatenated skips, 2x the down path's work).
      name:
        `IdentityNet pass alone (its hook's beforeStep: encoder + mid, 16 face tokens), ${px} px, CFG batch; ratio = median ` +
        `of interleaved pairs`,
      value: identityNetPass,
      unit: "ms",
      baselineName: "plain UNet step in the same runner",
      baseline: plain,
      ratio: share,
      goal: "ratio ≈ 0.4 (encoder + mid of the UNet's MACs)",
      met: share <= 0.5,
    },
  ];
}

// Runs the cases one after another `runs` times (after one warm-up round); returns each case's times in round order.
async function interleaved(cases: (() => Promise<unknown>)[], runs: number): Promise<number[][]> {
  for (const run of cases) await run();
  const times: number[][] = cases.map(() => []);
  for (let r = 0; r < runs; r++) for (const [i, run] of cases.entries()) times[i].push(await medianMs(run, 1, 0));
  return times;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Per-step cost of InstantID (IdentityNet residuals and the patched image attention) over the plain UNet step in the reference runner. */
export const runnerBenchmark: Benchmark = {
  name: "runner",
  available: () => true,
  run: stepCost,
};
