import { expect, it } from "vitest";
import { diffusersJsExample } from "../../examples/diffusers-js-wrapper.js";
import { describeShared, sharedPath } from "../helpers/shared.js";

describeShared("examples/diffusers-js-wrapper.ts", "golden/unet", () => {
  it("changes an unmodified runner's result once its UNet session is wrapped, with the steps detected from the timesteps", async () => {
    const { withInstantId, without, stepsSeen } = await diffusersJsExample(sharedPath("golden", "unet"), 4);
    expect(stepsSeen).toEqual([0, 1, 2, 3]);
    expect(withInstantId.shape).toEqual([1, 4, 16, 16]);
    expect(withInstantId.data.every(Number.isFinite)).toBe(true);
    const change = withInstantId.data.reduce((s, v, k) => s + Math.abs(v - without.data[k]), 0) / without.data.length;
    expect(change).toBeGreaterThan(1e-3);
  });
});
