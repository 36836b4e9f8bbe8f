import { describe, expect, it } from "vitest";
import { dpmKarrasSigmas } from "../../../../adapters/onnx-sdxl/schedulers/dpmpp-2m-karras.js";
import { eulerSigmas } from "../../../../adapters/onnx-sdxl/schedulers/euler.js";
import { createEulerScheduler } from "../../../../adapters/onnx-sdxl/schedulers/euler.js";
import { lcmTimesteps } from "../../../../adapters/onnx-sdxl/schedulers/lcm.js";
import { leadingTimesteps } from "../../../../adapters/onnx-sdxl/schedulers/noise-schedule.js";
import { SDXL_TRAINING } from "../../../../adapters/onnx-sdxl/schedulers/types.js";

// Expected numbers were computed with NumPy in float64 from the formulas of diffusers' schedulers
// (scaled_linear betas, np.interp of the σ table, Karras ρ = 7 with log-σ interpolation for t),
// written independently of this code; diffusers itself works in float32, within 1e-5 of these.

describe("SDXL noise schedule", () => {
  it("spaces 30 steps the 'leading' way with steps_offset 1: 958, 925, 892 … 1", () => {
    const ts = leadingTimesteps(SDXL_TRAINING, 30);
    expect(ts.slice(0, 3)).toEqual([958, 925, 892]);
    expect(ts.at(-1)).toBe(1);
  });

  it("gives Euler the σ table of diffusers' EulerDiscreteScheduler and a final 0", () => {
    const { sigmas } = eulerSigmas(30);
    expect(sigmas).toHaveLength(31);
    expect(sigmas[0]).toBeCloseTo(11.476846458335604, 9);
    expect(sigmas[1]).toBeCloseTo(9.543582566733951, 9);
    expect(sigmas[29]).toBeCloseTo(0.04131441199678309, 11);
    expect(sigmas[30]).toBe(0);
  });

  it("starts Euler from √(σmax² + 1) and scales the UNet input by 1/√(σ² + 1)", () => {
    const euler = createEulerScheduler(30);
    expect(euler.initNoiseSigma).toBeCloseTo(11.5203300572601, 9);
    const scaled = euler.scaleModelInput(Float32Array.of(1), 0);
    expect(scaled[0]).toBeCloseTo(1 / Math.sqrt(11.476846458335604 ** 2 + 1), 6);
  });

  it("builds Karras σ from σmax 14.6146 down to σmin and maps them back to rounded timesteps", () => {
    const { timesteps, sigmas } = dpmKarrasSigmas(30);
    expect(sigmas[0]).toBeCloseTo(14.614641229333643, 8);
    expect(sigmas[1]).toBeCloseTo(12.660600972969673, 8);
    expect(sigmas[29]).toBeCloseTo(0.02916715815172038, 10);
    expect(sigmas[30]).toBe(0);
    expect(timesteps.slice(0, 4)).toEqual([999, 975, 949, 923]);
    expect(timesteps.slice(-3)).toEqual([3, 1, 0]);
  });

  it("samples LCM timesteps from the 50-point distillation grid", () => {
    expect(lcmTimesteps(4)).toEqual([999, 759, 499, 259]);
    expect(lcmTimesteps(6)).toEqual([999, 839, 679, 499, 339, 179]);
  });
});
