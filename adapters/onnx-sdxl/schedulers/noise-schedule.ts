import type { TrainingSchedule } from "./types.js";

// The math every scheduler shares, computed in float64 (diffusers computes these tables in float32;
// the difference is below 1e-5 relative and does not change which timesteps are chosen).

/** Cumulative products of (1 - beta) for "scaled_linear" betas: linspace(√start, √end, n)². */
export function alphasCumprod(schedule: TrainingSchedule): Float64Array {
  const { trainSteps, betaStart, betaEnd } = schedule;
  const out = new Float64Array(trainSteps);
  const a = Math.sqrt(betaStart);
  const b = Math.sqrt(betaEnd);
  let product = 1;
  for (let i = 0; i < trainSteps; i++) {
    const root = a + ((b - a) * i) / (trainSteps - 1);
    product *= 1 - root * root;
    out[i] = product;
  }
  return out;
}

/** Noise level of every training timestep, σ_t = √((1 − ᾱ_t) / ᾱ_t), increasing with t. */
export function trainingSigmas(cumprod: Float64Array): Float64Array {
  return cumprod.map((a) => Math.sqrt((1 - a) / a));
}

/** "leading" spacing: t_i = i·⌊T/n⌋ + offset, highest first. */
export function leadingTimesteps(schedule: TrainingSchedule, steps: number): number[] {
  const ratio = Math.floor(schedule.trainSteps / steps);
  return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + schedule.stepsOffset);
}

/** σ at a (possibly fractional) timestep by linear interpolation in the training table. */
export function sigmaAt(sigmas: Float64Array, t: number): number {
  const low = Math.min(Math.max(Math.floor(t), 0), sigmas.length - 1);
  const high = Math.min(low + 1, sigmas.length - 1);
  return sigmas[low] + (sigmas[high] - sigmas[low]) * (t - low);
}

/** Karras et al. (2022) noise levels: (σmax^(1/ρ) + r·(σmin^(1/ρ) − σmax^(1/ρ)))^ρ, r = 0…1, ρ = 7. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number, rho = 7): number[] {
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return Array.from({ length: steps }, (_, i) => {
    const ramp = steps === 1 ? 0 : i / (steps - 1);
    return (maxInv + ramp * (minInv - maxInv)) ** rho;
  });
}

/** The fractional training timestep of a noise level, interpolating linearly in log σ (diffusers' `_sigma_to_t`). */
export function timestepOfSigma(sigmas: Float64Array, sigma: number): number {
  const logSigma = Math.log(sigma);
  let low = 0;
  for (let i = 0; i < sigmas.length; i++) if (logSigma - Math.log(sigmas[i]) >= 0) low = i;
  low = Math.min(low, sigmas.length - 2);
  const lowLog = Math.log(sigmas[low]);
  const highLog = Math.log(sigmas[low + 1]);
  const w = Math.min(Math.max((lowLog - logSigma) / (lowLog - highLog), 0), 1);
  return (1 - w) * low + w * (low + 1);
}

/** a·x + b·y elementwise, the shape of almost every scheduler update. */
export function combine(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i] + b * y[i];
  return out;
}

/** x · s elementwise. */
export function scale(x: Float32Array, s: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
  return out;
}
