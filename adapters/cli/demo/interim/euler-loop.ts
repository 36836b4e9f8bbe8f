// Interim: replaced by adapters/onnx-sdxl generate() when the runner branch lands.
import type { GenerationHook } from "../../../../core/hooks/types.js";
import type { RgbImage } from "../../../../core/image/rgb-image.js";
import type { ProgressListener } from "../../../../core/progress.js";
import { RandomWeights } from "../../../../core/synthetic/random-weights.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor } from "../../../../core/runtime/session.js";
import { tensor, type Tensor } from "../../../../core/tensor/tensor.js";

/** What the interim loop needs: model paths, precomputed prompt, size, steps, guidance, seed. */
export interface InterimGenerateOptions {
  readonly models: { readonly unet: string; readonly vaeDecoder: string };
  readonly prompt: { readonly embeds: Tensor; readonly pooled: Tensor };
  readonly width: number;
  readonly height: number;
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number;
  readonly vaeScalingFactor: number;
}

// SDXL's EulerDiscreteScheduler: scaled-linear betas 0.00085..0.012 over 1000 steps, "leading" spacing, offset 1.
function eulerSchedule(steps: number): { timesteps: number[]; sigmas: number[] } {
  let product = 1;
  const alphasCumprod = Array.from({ length: 1000 }, (_, i) => {
    const beta = (Math.sqrt(0.00085) + (i / 999) * (Math.sqrt(0.012) - Math.sqrt(0.00085))) ** 2;
    return (product *= 1 - beta);
  });
  const ratio = Math.floor(1000 / steps);
  const timesteps = Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + 1);
  return { timesteps, sigmas: [...timesteps.map((t) => Math.sqrt((1 - alphasCumprod[t]) / alphasCumprod[t])), 0] };
}

function repeat(t: Tensor, rows: number): Tensor {
  const data = new Float32Array(t.data.length * rows);
  for (let r = 0; r < rows; r++) data.set(t.data, r * t.data.length);
  return tensor([rows, ...t.shape.slice(1)], data);
}

/** Euler sampling with classifier-free guidance over [uncond (zeros prompt), cond] rows, driving the hooks; decodes with the VAE. */
export async function interimGenerate(options: InterimGenerateOptions, hooks: readonly GenerationHook[], onProgress?: ProgressListener): Promise<RgbImage> {
  const { width, height, steps } = options;
  const rows = ["uncond", "cond"] as const;
  for (const hook of hooks) await hook.prepare?.({ rows, width, height, steps });
  const unet = await loadSession(options.models.unet, { what: "UNet" });
  const { timesteps, sigmas } = eulerSchedule(steps);
  const shape = [1, 4, height / 8, width / 8];
  const latent = new RandomWeights(options.seed).gaussian(shape.reduce((a, b) => a * b), Math.sqrt(sigmas[0] ** 2 + 1));
  const pair = (negative: Tensor) => tensor([2, ...negative.shape.slice(1)], [...new Float32Array(negative.data.length), ...negative.data]);
  const promptEmbeds = pair(options.prompt.embeds);
  const textEmbeds = pair(options.prompt.pooled);
  const timeIds = repeat(tensor([1, 6], [height, width, 0, 0, height, width]), 2);
  for (let i = 0; i < steps; i++) {
    const scaled = tensor(shape, latent.map((v) => v / Math.sqrt(sigmas[i] ** 2 + 1)));
    const step = { index: i, total: steps, sample: repeat(scaled, 2), timestep: tensor([1], [timesteps[i]]), promptEmbeds, textEmbeds, timeIds };
    const feeds: Record<string, Tensor> = { sample: step.sample, timestep: step.timestep, encoder_hidden_states: promptEmbeds, text_embeds: textEmbeds, time_ids: timeIds };
    for (const hook of hooks) {
      const contribution = await hook.beforeStep?.(step);
      Object.assign(feeds, contribution?.inputs);
      if (contribution?.residuals) {
        const names = unet.inputNames.filter((n) => n.includes("residual"));
        [...contribution.residuals.down, contribution.residuals.mid].forEach((t, r) => (feeds[names[r]] = t));
      }
    }
    const out = await runSession(unet, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrtTensor(v)])), "UNet");
    const noise = fromOrtTensor(out[unet.outputNames[0]], "UNet output").data;
    const half = noise.length / 2;
    for (let j = 0; j < half; j++) latent[j] += (noise[j] + options.guidance * (noise[half + j] - noise[j])) * (sigmas[i + 1] - sigmas[i]);
    onProgress?.({ stage: "denoise", completed: i + 1, total: steps });
  }
  return decode(options.models.vaeDecoder, tensor(shape, latent.map((v) => v / options.vaeScalingFactor)));
}

async function decode(path: string, latent: Tensor): Promise<RgbImage> {
  const vae = await loadSession(path, { what: "VAE decoder" });
  const out = await runSession(vae, { [vae.inputNames[0]]: toOrtTensor(latent) }, "VAE decoder");
  const t = fromOrtTensor(out[vae.outputNames[0]], "VAE output");
  const [, , h, w] = t.shape;
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(Math.min(1, Math.max(0, t.data[c * w * h + p] / 2 + 0.5)) * 255);
  return { width: w, height: h, data };
}
