import { describe, expect, it } from "vitest";
import { createIdentity } from "../../core/index.js";
import { RandomWeights } from "../../core/testing.js";
import { multiIdentityExample } from "../../examples/multi-identity.js";
import { tempDir } from "../helpers/shared.js";

const person = (seed: number) => createIdentity([{ embedding: new RandomWeights(seed).gaussian(512) }]);

describe("examples/multi-identity.ts", () => {
  it("lays two people out in the canvas halves without warnings and generates them; swapping who stands where changes the image", async () => {
    const cache = await tempDir();
    const [alice, bob] = [person(21), person(22)];
    const first = await multiIdentityExample(cache, { left: alice, right: bob }, 2);
    expect(first.composition.warnings).toEqual([]);
    expect(first.composition.identities).toHaveLength(2);
    expect([first.preview.width, first.preview.height]).toEqual([256, 128]);
    expect([first.result.image.width, first.result.image.height]).toEqual([256, 128]);
    expect(first.result.latent.data.every(Number.isFinite)).toBe(true);

    const swapped = await multiIdentityExample(cache, { left: bob, right: alice }, 2);
    const change =
      first.result.latent.data.reduce((s, v, k) => s + Math.abs(v - swapped.result.latent.data[k]), 0) / first.result.latent.data.length;
    expect(change).toBeGreaterThan(1e-4);
  });
});
