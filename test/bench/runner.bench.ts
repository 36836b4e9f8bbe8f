import type { StepContext } from "../../core/hooks/types.js";
import { loadControlNet } from "../../core/identitynet/controlnet-model.js";
import { createIdentityNetHook } from "../../core/identitynet/identitynet-hook.js";
import { tensor, type Tensor } from "../../core/tensor/tensor.js";
import { callUnet } from "../../adapters/onnx-sdxl/unet-step.js";
import { openUnet } from "../../adapters/onnx-sdxl/unet.js";
import { type Benchmark, type BenchResult, medianMs } from "./benchmark.js";
import { syntheticControlNet, syntheticUnet } from "./synthetic-sdxl.js";

// 512 px output (latent 64 × 64; 1024 px takes seconds per step on a small CPU), the batch
// [uncond, cond] of classifier-free guidance.
const LATENT = 64;

function filled(shape: number[], value: number): Tensor {
  return tensor(shape, new Float32Array(shape.reduce((a, b) => a * b)).fill(value));
}

async function stepCost(): Promise<BenchResult[]> {
  const unet = await openUnet(syntheticUnet(LATENT));
  const step: StepContext = {
    index: 0,
    total: 30,
    sample: filled([2, 4, LATENT, LATENT], 0.3),
    timestep: tensor([1], [500]),
    promptEmbeds: filled([2, 77, 2048], 0.05),
    textEmbeds: filled([2, 1280], 0.1),
    timeIds: tensor([2, 6], [512, 512, 0, 0, 512, 512, 512, 512, 0, 0, 512, 512]),
  };
  // The core's IdentityNet hook on the synthetic ControlNet, as InstantID runs it: face tokens in
  // the cond row, Resampler(0) tokens in the uncond row, the keypoint image, scale 0.8.
  const hook = createIdentityNetHook({
    model: await loadControlNet(syntheticControlNet(LATENT)),
    unet: unet.residualInputs,
    identities: [{ faceTokens: filled([1, 16, 2048], 0.1), uncondFaceTokens: filled([1, 16, 2048], 0.02), keypointImage: filled([1, 3, LATENT * 8, LATENT * 8], 0.5), scale: 0.8 }],
  });
  await hook.prepare?.({ rows: ["uncond", "cond"], width: LATENT * 8, height: LATENT * 8, steps: 30 });
  const plain = await medianMs(() => callUnet(unet, undefined, step), 3, 1);
  const instantId = await medianMs(() => callUnet(unet, hook, step), 3, 1);
  return [
    {
      name: "runner step with IdentityNet (core hook), SDXL-shaped synthetic UNet/ControlNet, 512 px, CFG batch",
      value: instantId,
      unit: "ms",
      baselineName: "plain UNet step in the same runner",
      baseline: plain,
      goal: "ratio ≤ 1.5",
      met: instantId <= 1.5 * plain,
    },
  ];
}

/**
 * Per-step cost of InstantID over the plain UNet step in the reference runner. The synthetic UNet
 * has no attention blocks, so the Image Adapter's share (16 extra tokens per cross-attention) is
 * not in this figure.
 */
export const runnerBenchmark: Benchmark = {
  name: "runner",
  available: () => true,
  run: stepCost,
};
