import type { Rng } from "../random.js";
import { eulerScaling, eulerSigmas } from "./euler.js";
import { SDXL_TRAINING, type Scheduler, type TrainingSchedule } from "./types.js";

/**
 * diffusers' EulerAncestralDiscreteScheduler: an Euler step down to σ_down, then fresh noise of
 * σ_up, with σ_up = √(σ_next²(σ² − σ_next²)/σ²) and σ_down = √(σ_next² − σ_up²).
 */
export function createEulerAncestralScheduler(steps: number, schedule: TrainingSchedule = SDXL_TRAINING): Scheduler {
  const { timesteps, sigmas } = eulerSigmas(steps, schedule);
  return {
    name: "euler-ancestral",
    timesteps,
    ...eulerScaling(sigmas),
    step(noise: Float32Array, index: number, sample: Float32Array, rng: Rng) {
      const from = sigmas[index];
      const to = sigmas[index + 1];
      const up = Math.sqrt((to * to * (from * from - to * to)) / (from * from));
      const down = Math.sqrt(to * to - up * up);
      const fresh = rng.gaussian(sample.length);
      const out = new Float32Array(sample.length);
      for (let i = 0; i < out.length; i++) out[i] = sample[i] + noise[i] * (down - from) + fresh[i] * up;
      return out;
    },
  };
}
