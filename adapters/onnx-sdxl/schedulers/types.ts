import type { Rng } from "../random.js";

/** The names of the schedulers the reference runner implements, each after its diffusers namesake. */
export type SchedulerName = "euler" | "euler-ancestral" | "dpmpp-2m-karras" | "ddim" | "lcm";

/**
 * A denoising schedule for a fixed number of steps. Build one per generation: multistep
 * schedulers remember earlier predictions. `index` is always the 0-based position in `timesteps`.
 */
export interface Scheduler {
  readonly name: SchedulerName;
  /** The timestep the UNet receives at each step, highest noise first. */
  readonly timesteps: readonly number[];
  /** Standard deviation of the initial noise (pure noise latents are `noise * initNoiseSigma`). */
  readonly initNoiseSigma: number;
  /** The UNet input for the current latent at step `index` (identity for DDPM-style schedulers). */
  scaleModelInput(sample: Float32Array, index: number): Float32Array;
  /** The latent of the next step from the predicted noise (epsilon) at step `index`. */
  step(noise: Float32Array, index: number, sample: Float32Array, rng: Rng): Float32Array;
  /** Noises a clean latent to the level of step `index` (img2img starts there). */
  addNoise(clean: Float32Array, noise: Float32Array, index: number): Float32Array;
}

/** The training noise schedule shared by SDXL's schedulers (diffusers' scheduler_config.json of SDXL base). */
export interface TrainingSchedule {
  readonly trainSteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  /** Added to every "leading" timestep. */
  readonly stepsOffset: number;
}

/** SDXL base's schedule: scaled_linear betas 0.00085 → 0.012 over 1000 steps, steps_offset 1. */
export const SDXL_TRAINING: TrainingSchedule = { trainSteps: 1000, betaStart: 0.00085, betaEnd: 0.012, stepsOffset: 1 };
