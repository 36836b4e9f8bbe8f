import { expect, it } from "vitest";
import { runCustomLoop } from "../../examples/hooks-custom-loop.js";
import { describeShared, sharedPath } from "../helpers/shared.js";

describeShared("examples/hooks-custom-loop.ts", "golden/unet", () => {
  it("runs a guided loop in which IdentityNet acts only inside its window", async () => {
    const { latent, identityNetActive } = await runCustomLoop(sharedPath("golden", "unet"), 4);
    expect(identityNetActive).toEqual([true, true, false, false]);
    expect(latent.shape).toEqual([1, 4, 16, 16]);
    expect(latent.data.every(Number.isFinite)).toBe(true);
  });
});
