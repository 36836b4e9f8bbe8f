import type { Rng } from "../random.js";
import { alphasCumprod, karrasSigmas, timestepOfSigma, trainingSigmas } from "./noise-schedule.js";
import { SDXL_TRAINING, type Scheduler, type TrainingSchedule } from "./types.js";

/** Karras σ from σmax to σmin of the training table, then a final 0; timesteps are the rounded σ→t. */
export function dpmKarrasSigmas(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): { timesteps: number[]; sigmas: number[] } {
  const table = trainingSigmas(alphasCumprod(schedule));
  const sigmas = karrasSigmas(table[0], table[table.length - 1], steps);
  return { timesteps: sigmas.map((s) => Math.round(timestepOfSigma(table, s))), sigmas: [...sigmas, 0] };
}

/** α_t = 1/√(σ²+1), σ_t = σ·α_t and λ = log α_t − log σ_t (−∞ … +∞; +∞ at σ = 0). */
function vp(sigma: number): { alpha: number; sigmaT: number; lambda: number } {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const sigmaT = sigma * alpha;
  return { alpha, sigmaT, lambda: Math.log(alpha) - Math.log(sigmaT) };
}

/**
 * diffusers' DPMSolverMultistepScheduler as "DPM++ 2M Karras": algorithm dpmsolver++, order 2,
 * midpoint solver, Karras σ, final σ 0 (so the last step is first order). Latents stay at unit
 * scale: the UNet input is the latent itself.
 */
export function createDpmpp2mKarrasScheduler(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): Scheduler {
  const { timesteps, sigmas } = dpmKarrasSigmas(steps, schedule);
  let previousX0: Float32Array | undefined;
  return {
    name: "dpmpp-2m-karras",
    timesteps,
    initNoiseSigma: 1,
    scaleModelInput: (sample) => sample,
    addNoise(clean, noise, index) {
      const { alpha, sigmaT } = vp(sigmas[index]);
      const out = new Float32Array(clean.length);
      for (let i = 0; i < out.length; i++) out[i] = alpha * clean[i] + sigmaT * noise[i];
      return out;
    },
    step(noise: Float32Array, index: number, sample: Float32Array, _rng: Rng) {
      const s0 = vp(sigmas[index]);
      const t = vp(sigmas[index + 1]);
      const x0 = new Float32Array(sample.length);
      for (let i = 0; i < x0.length; i++) x0[i] = (sample[i] - s0.sigmaT * noise[i]) / s0.alpha;
      const h = t.lambda - s0.lambda;
      const decay = t.sigmaT / s0.sigmaT;
      const gain = -t.alpha * Math.expm1(-h);
      const firstOrder = previousX0 === undefined || index === timesteps.length - 1;
      const out = new Float32Array(sample.length);
      if (firstOrder) {
        for (let i = 0; i < out.length; i++) out[i] = decay * sample[i] + gain * x0[i];
      } else {
        const r = (s0.lambda - vp(sigmas[index - 1]).lambda) / h;
        const previous = previousX0!;
        for (let i = 0; i < out.length; i++) {
          const d1 = (x0[i] - previous[i]) / r;
          out[i] = decay * sample[i] + gain * x0[i] + 0.5 * gain * d1;
        }
      }
      previousX0 = x0;
      return out;
    },
  };
}
