import { describe, expect, it } from "vitest";
import { controlKeep } from "../../../core/controlnet/gating.js";

describe("controlKeep", () => {
  it("keeps every step for the full window", () => {
    expect(Array.from({ length: 5 }, (_, i) => controlKeep(i, 5, { start: 0, end: 1 }))).toEqual([1, 1, 1, 1, 1]);
  });

  it("drops steps that start before control_guidance_start or end after control_guidance_end, as diffusers", () => {
    // 10 steps, window [0.2, 0.7]: i/10 < 0.2 drops 0,1; (i+1)/10 > 0.7 drops 7,8,9.
    expect(Array.from({ length: 10 }, (_, i) => controlKeep(i, 10, { start: 0.2, end: 0.7 }))).toEqual([0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it("drops the step that straddles the end fraction", () => {
    // 3 steps, end 0.5: step 1 ends at 2/3 > 0.5.
    expect(Array.from({ length: 3 }, (_, i) => controlKeep(i, 3, { start: 0, end: 0.5 }))).toEqual([1, 0, 0]);
  });
});
