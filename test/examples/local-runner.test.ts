import { describe, expect, it } from "vitest";
import { localRunnerExample } from "../../examples/local-runner.js";
import { tempDir } from "../helpers/shared.js";

describe("examples/local-runner.ts", () => {
  it("decodes an image at the keypoint image's size, and InstantID changes the result of the same seed", async () => {
    const { withInstantId, plain } = await localRunnerExample(await tempDir(), 3);
    expect([withInstantId.width, withInstantId.height]).toEqual([128, 128]);
    expect(withInstantId.decoded).toBe(true);
    expect([withInstantId.image.width, withInstantId.image.height]).toEqual([128, 128]);
    expect(withInstantId.latent.data.every(Number.isFinite)).toBe(true);
    const change = withInstantId.latent.data.reduce((s, v, k) => s + Math.abs(v - plain.latent.data[k]), 0) / plain.latent.data.length;
    expect(change).toBeGreaterThan(1e-3);
  });
});
