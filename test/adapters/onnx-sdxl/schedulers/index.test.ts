import { describe, expect, it } from "vitest";
import type { Rng } from "../../../../adapters/onnx-sdxl/random.js";
import { createScheduler, type SchedulerName } from "../../../../adapters/onnx-sdxl/schedulers/index.js";
import { assertClose } from "../../../helpers/assert-close.js";

// A toy model and fixed "fresh noise" make every scheduler deterministic; the expected end points
// were computed with NumPy (float64) by an independent transcription of diffusers' step formulas:
// model ε(x, t) = 0.1·x + 0.01·t/1000, start x = [0.5, −1, 1.5, 0.25] · initNoiseSigma,
// fresh noise at step i = [0.3, −0.2, 0.1, 0.05]·(i + 1).
const start = [0.5, -1, 1.5, 0.25];

function fixedNoise(): Rng {
  let calls = 0;
  return {
    gaussian(count) {
      calls += 1;
      return Float32Array.from({ length: count }, (_, i) => [0.3, -0.2, 0.1, 0.05][i] * calls);
    },
  };
}

function trajectory(name: SchedulerName, steps: number): Float32Array {
  const scheduler = createScheduler(name, steps);
  const rng = fixedNoise();
  let x: Float32Array = Float32Array.from(start, (v) => v * scheduler.initNoiseSigma);
  scheduler.timesteps.forEach((t, i) => {
    const input = scheduler.scaleModelInput(x, i);
    const eps = input.map((v) => 0.1 * v + (0.01 * t) / 1000);
    x = scheduler.step(eps, i, x, rng);
  });
  return x;
}

const expected: [SchedulerName, number, number[]][] = [
  ["euler", 4, [1.7644359211154055, -3.5972584640391405, 5.338898844551768, 0.8708201902563143]],
  ["euler", 30, [4.196174727291152, -8.600121447059628, 12.727038843525007, 2.0634586982326897]],
  ["euler-ancestral", 10, [10.67057243843883, -10.997720562863341, 11.025450442390559, 2.6558619391854297]],
  ["ddim", 10, [3.2432366130284183, -6.638284786105537, 9.83091754578439, 1.5963163798394238]],
  ["lcm", 4, [7.414473573477359, -12.031574847687171, 16.045288570137867, 2.819335101997072]],
  ["dpmpp-2m-karras", 10, [5.1090096157215665, -10.481675202155511, 15.50279949430629, 2.510562146075387]],
  ["dpmpp-2m-karras", 30, [5.1348645245314435, -10.536184950019583, 15.582230840898804, 2.5230229454396054]],
];

describe("schedulers", () => {
  it.each(expected)("%s with %i steps follows diffusers' update rule to the reference end point", (name, steps, end) => {
    assertClose(trajectory(name, steps), Float32Array.from(end), { abs: 1e-5, rel: 1e-5 }, `${name} ${steps}`);
  });

  it("noises a clean latent to step 0 of Euler as x + σ·ε", () => {
    const euler = createScheduler("euler", 30);
    const noised = euler.addNoise(Float32Array.of(1), Float32Array.of(2), 0);
    expect(noised[0]).toBeCloseTo(1 + 2 * 11.476846458335604, 4);
  });

  it("gives DPM++ a fresh multistep history for each scheduler instance", () => {
    expect(trajectory("dpmpp-2m-karras", 10)).toEqual(trajectory("dpmpp-2m-karras", 10));
  });
});
