import { describe, expect, it } from "vitest";
import { computeImageTokens } from "../../../core/image-adapter/image-tokens.js";
import { Resampler } from "../../../core/image-adapter/resampler.js";
import type { Tensor } from "../../../core/tensor/tensor.js";

/** A small random Resampler (dim 8, 2 heads, depth 1, 4 queries, 6 → 5). */
function smallResampler(): Resampler {
  let seed = 1;
  const random = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.8);
  const t = (shape: number[]): Tensor => ({ shape, data: random(shape.reduce((a, b) => a * b, 1)) });
  const weights = new Map<string, Tensor>([
    ["latents", t([1, 4, 8])],
    ["proj_in.weight", t([8, 6])],
    ["proj_in.bias", t([8])],
    ["proj_out.weight", t([5, 8])],
    ["proj_out.bias", t([5])],
    ["norm_out.weight", t([5])],
    ["norm_out.bias", t([5])],
    ["layers.0.0.norm1.weight", t([8])],
    ["layers.0.0.norm1.bias", t([8])],
    ["layers.0.0.norm2.weight", t([8])],
    ["layers.0.0.norm2.bias", t([8])],
    ["layers.0.0.to_q.weight", t([8, 8])],
    ["layers.0.0.to_kv.weight", t([16, 8])],
    ["layers.0.0.to_out.weight", t([8, 8])],
    ["layers.0.1.0.weight", t([8])],
    ["layers.0.1.0.bias", t([8])],
    ["layers.0.1.1.weight", t([32, 8])],
    ["layers.0.1.3.weight", t([8, 32])],
  ]);
  return Resampler.fromWeights(weights, { heads: 2 });
}

describe("computeImageTokens", () => {
  const resampler = smallResampler();
  const embedding = Float32Array.of(1, -2, 3, 0.5, 0, 4);

  it("gives Resampler(embedding) as cond and Resampler(zeros) as uncond", async () => {
    const { cond, uncond } = await computeImageTokens(resampler, embedding);
    expect(cond).toEqual(await resampler.run({ shape: [1, 1, 6], data: embedding }));
    expect(uncond).toEqual(await resampler.run({ shape: [1, 1, 6], data: new Float32Array(6) }));
  });

  it("with noise, feeds the seeded noise embedding to the negative branch, reproducibly", async () => {
    const plain = await computeImageTokens(resampler, embedding);
    const noisy = await computeImageTokens(resampler, embedding, { noise: 0.35 });
    expect(noisy.cond).toEqual(plain.cond);
    expect(noisy.uncond.data).not.toEqual(plain.uncond.data);
    expect((await computeImageTokens(resampler, embedding, { noise: 0.35 })).uncond).toEqual(noisy.uncond);
  });

  it("averages several references by default and rejects an unknown combine mode", async () => {
    const twice = await computeImageTokens(resampler, [embedding, embedding]);
    expect(twice.cond.data).toEqual((await computeImageTokens(resampler, embedding)).cond.data);
    await expect(computeImageTokens(resampler, embedding, { combine: "sum" as never })).rejects.toThrow(/image token options: combine/);
  });
});
