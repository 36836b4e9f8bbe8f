import type { GenerationHook, StepContext } from "../../core/hooks/types.js";
import { fromOrtTensor, loadSession, type OrtSession, runSession, toOrtTensor } from "../../core/runtime/session.js";
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

/** An IdentityNet-style hook on the synthetic ControlNet: face tokens per row, keypoint image, residuals × 0.8 in place. */
async function controlHook(session: OrtSession): Promise<GenerationHook> {
  const faceTokens = toOrtTensor(filled([2, 16, 2048], 0.1));
  const keypoints = toOrtTensor(filled([2, 3, LATENT * 8, LATENT * 8], 0.5));
  return {
    name: "identitynet",
    async beforeStep(step: StepContext) {
      const feeds = {
        sample: toOrtTensor(step.sample),
        timestep: toOrtTensor(step.timestep),
        encoder_hidden_states: faceTokens,
        controlnet_cond: keypoints,
        text_embeds: toOrtTensor(step.textEmbeds),
        time_ids: toOrtTensor(step.timeIds),
      };
      const out = await runSession(session, feeds, "synthetic IdentityNet");
      const all = session.outputNames.map((name) => fromOrtTensor(out[name], name));
      for (const t of all) for (let i = 0; i < t.data.length; i++) t.data[i] *= 0.8;
      return { residuals: { down: all.slice(0, 9), mid: all[9] } };
    },
  };
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
    timeIds: tensor([2, 6], [1024, 1024, 0, 0, 1024, 1024, 1024, 1024, 0, 0, 1024, 1024]),
  };
  const controlNet = await loadSession(syntheticControlNet(LATENT), { what: "synthetic IdentityNet" });
  const hook = await controlHook(controlNet);
  const plain = await medianMs(() => callUnet(unet, undefined, step), 3, 1);
  const instantId = await medianMs(() => callUnet(unet, hook, step), 3, 1);
  const controlNetAlone = await medianMs(() => hook.beforeStep!(step), 3, 1);
  const overhead = Math.max(0, instantId - plain - controlNetAlone);
  return [
    {
      name: "runner step with InstantID (IdentityNet + residuals), SDXL-shaped synthetic, 512 px, CFG batch",
      value: instantId,
      unit: "ms",
      baselineName: "plain UNet step in the same runner",
      baseline: plain,
      goal: "ratio ≤ 1.5",
      met: instantId <= 1.5 * plain,
    },
    {
      name: "same, the runner's own cost: InstantID step − plain step − IdentityNet hook alone",
      value: overhead,
      unit: "ms",
      baselineName: "plain UNet step",
      baseline: plain,
      goal: "ratio ≤ 0.05 (passing residuals costs next to nothing)",
      met: overhead <= 0.05 * plain,
    },
  ];
}

/** Per-step cost of InstantID over the plain UNet step in the reference runner. */
export const runnerBenchmark: Benchmark = {
  name: "runner",
  available: () => true,
  run: stepCost,
};
