import { expect, it } from "vitest";
import { localRunnerExample } from "../../examples/local-runner.js";
import { describeShared, sharedPath } from "../helpers/shared.js";

describeShared("examples/local-runner.ts", "golden/unet", () => {
  it("generates at the keypoint image's size, and InstantID changes the result of the same seed", async () => {
    const { withInstantId, plain } = await localRunnerExample(sharedPath("golden", "unet"), 4);
    expect([withInstantId.width, withInstantId.height]).toEqual([128, 128]);
    expect(withInstantId.latent.shape).toEqual([1, 4, 16, 16]);
    expect(withInstantId.decoded).toBe(false);
    expect(withInstantId.latent.data.every(Number.isFinite)).toBe(true);
    const change = withInstantId.latent.data.reduce((s, v, k) => s + Math.abs(v - plain.latent.data[k]), 0) / plain.latent.data.length;
    expect(change).toBeGreaterThan(1e-3);
  });
});
