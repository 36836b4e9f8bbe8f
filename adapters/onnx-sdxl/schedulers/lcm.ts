import { invalidOption } from "../../../core/internal.js";
import type { Rng } from "../random.js";
import { ddpmAddNoise } from "./ddim.js";
import { alphasCumprod } from "./noise-schedule.js";
import { SDXL_TRAINING, type Scheduler, type TrainingSchedule } from "./types.js";

/** LCM's distillation grid has 50 points; LCM-LoRA models were distilled on it. */
const ORIGINAL_STEPS = 50;
const SIGMA_DATA = 0.5;
const TIMESTEP_SCALING = 10;

/** diffusers' LCMScheduler timesteps: the 50-point grid t = 20k − 1, reversed, sampled at ⌊i·50/n⌋. */
export function lcmTimesteps(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): number[] {
  const k = Math.floor(schedule.trainSteps / ORIGINAL_STEPS);
  const grid = Array.from({ length: ORIGINAL_STEPS }, (_, i) => (ORIGINAL_STEPS - i) * k - 1);
  return Array.from({ length: steps }, (_, i) => grid[Math.floor((i * ORIGINAL_STEPS) / steps)]);
}

/**
 * diffusers' LCMScheduler (for LCM-LoRA-fused models; use guidance ≤ 1 and 2–8 steps): the
 * consistency boundary condition c_skip·x + c_out·x₀, then re-noised to the next timestep with
 * fresh noise, except after the last step.
 */
export function createLcmScheduler(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): Scheduler {
  if (steps > ORIGINAL_STEPS) throw invalidOption("steps with the LCM scheduler", `at most ${ORIGINAL_STEPS}`, steps);
  const cumprod = alphasCumprod(schedule);
  const timesteps = lcmTimesteps(steps, schedule);
  return {
    name: "lcm",
    timesteps,
    initNoiseSigma: 1,
    scaleModelInput: (sample) => sample,
    addNoise: (clean, noise, index) => ddpmAddNoise(cumprod, timesteps[index], clean, noise),
    step(noise: Float32Array, index: number, sample: Float32Array, rng: Rng) {
      const t = timesteps[index];
      const alpha = cumprod[t];
      const scaled = t * TIMESTEP_SCALING;
      const cSkip = SIGMA_DATA ** 2 / (scaled ** 2 + SIGMA_DATA ** 2);
      const cOut = scaled / Math.sqrt(scaled ** 2 + SIGMA_DATA ** 2);
      const sa = Math.sqrt(alpha);
      const sb = Math.sqrt(1 - alpha);
      const denoised = new Float32Array(sample.length);
      for (let i = 0; i < sample.length; i++) denoised[i] = cOut * ((sample[i] - sb * noise[i]) / sa) + cSkip * sample[i];
      if (index === timesteps.length - 1) return denoised;
      const alphaNext = cumprod[timesteps[index + 1]];
      const fresh = rng.gaussian(sample.length);
      const out = new Float32Array(sample.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(alphaNext) * denoised[i] + Math.sqrt(1 - alphaNext) * fresh[i];
      return out;
    },
  };
}
