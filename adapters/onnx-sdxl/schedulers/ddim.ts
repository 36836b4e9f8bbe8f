import type { Rng } from "../random.js";
import { alphasCumprod, combine, leadingTimesteps } from "./noise-schedule.js";
import { SDXL_TRAINING, type Scheduler, type TrainingSchedule } from "./types.js";

/** √ᾱ·x + √(1−ᾱ)·ε: DDPM-style noising at training timestep t. */
export function ddpmAddNoise(cumprod: Float64Array, t: number, clean: Float32Array, noise: Float32Array): Float32Array {
  return combine(Math.sqrt(cumprod[t]), clean, Math.sqrt(1 - cumprod[t]), noise);
}

/**
 * diffusers' DDIMScheduler with SDXL's config (eta 0, set_alpha_to_one false: the step past t = 0
 * uses ᾱ₀): x₀ = (x − √(1−ᾱ_t)·ε)/√ᾱ_t, x ← √ᾱ_prev·x₀ + √(1−ᾱ_prev)·ε.
 */
export function createDdimScheduler(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): Scheduler {
  const cumprod = alphasCumprod(schedule);
  const timesteps = leadingTimesteps(schedule, steps);
  const stride = Math.floor(schedule.trainSteps / steps);
  return {
    name: "ddim",
    timesteps,
    initNoiseSigma: 1,
    scaleModelInput: (sample) => sample,
    addNoise: (clean, noise, index) => ddpmAddNoise(cumprod, timesteps[index], clean, noise),
    step(noise: Float32Array, index: number, sample: Float32Array, _rng: Rng) {
      const t = timesteps[index];
      const previous = t - stride;
      const alpha = cumprod[t];
      const alphaPrev = previous >= 0 ? cumprod[previous] : cumprod[0];
      // x_prev = √ᾱp/√ᾱ · x + (√(1−ᾱp) − √ᾱp·√(1−ᾱ)/√ᾱ) · ε
      const a = Math.sqrt(alphaPrev / alpha);
      const b = Math.sqrt(1 - alphaPrev) - Math.sqrt(alphaPrev) * Math.sqrt((1 - alpha) / alpha);
      return combine(a, sample, b, noise);
    },
  };
}
