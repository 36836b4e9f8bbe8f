import type { Rng } from "../random.js";
import { alphasCumprod, combine, leadingTimesteps, sigmaAt, trainingSigmas } from "./noise-schedule.js";
import { SDXL_TRAINING, type Scheduler, type TrainingSchedule } from "./types.js";

/** Timesteps and σ of diffusers' EulerDiscrete family with "leading" spacing: σ per step, then a final 0. */
export function eulerSigmas(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): { timesteps: number[]; sigmas: number[] } {
  const table = trainingSigmas(alphasCumprod(schedule));
  const timesteps = leadingTimesteps(schedule, steps);
  return { timesteps, sigmas: [...timesteps.map((t) => sigmaAt(table, t)), 0] };
}

/** Latents live at scale σ: the UNet input is x / √(σ² + 1); "leading" spacing starts from √(σmax² + 1). */
export function eulerScaling(sigmas: readonly number[]): Pick<Scheduler, "initNoiseSigma" | "scaleModelInput" | "addNoise"> {
  return {
    initNoiseSigma: Math.sqrt(Math.max(...sigmas) ** 2 + 1),
    scaleModelInput: (sample, index) => combine(1 / Math.sqrt(sigmas[index] ** 2 + 1), sample, 0, sample),
    addNoise: (clean, noise, index) => combine(1, clean, sigmas[index], noise),
  };
}

/**
 * diffusers' EulerDiscreteScheduler (the InstantID reference default) with SDXL's config and
 * s_churn = 0: x₀ = x − σ·ε, then x ← x + ε·(σ_next − σ).
 */
export function createEulerScheduler(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): Scheduler {
  const { timesteps, sigmas } = eulerSigmas(steps, schedule);
  return {
    name: "euler",
    timesteps,
    ...eulerScaling(sigmas),
    step: (noise: Float32Array, index: number, sample: Float32Array, _rng: Rng) =>
      combine(1, sample, sigmas[index + 1] - sigmas[index], noise),
  };
}
