import { describe, expect, it } from "vitest";
import { createStepTracker } from "../../../adapters/diffusers-js/step-tracker.js";

describe("createStepTracker", () => {
  it("counts falling timesteps as steps, repeats as the same step, a rise as a new generation", () => {
    const tracker = createStepTracker();
    const seen = [999, 999, 800, 600, 999].map((t) => tracker.next(t));
    expect(seen).toEqual([
      { newGeneration: true, index: 0, call: 0 },
      { newGeneration: false, index: 0, call: 1 },
      { newGeneration: false, index: 1, call: 0 },
      { newGeneration: false, index: 2, call: 0 },
      { newGeneration: true, index: 0, call: 0 },
    ]);
  });
});
