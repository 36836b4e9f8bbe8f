import { describe, expect, it } from "vitest";
import { blendRegions, buildRegionConditioning } from "../../../adapters/onnx-sdxl/regions.js";
import type { Conditioning } from "../../../adapters/onnx-sdxl/conditioning.js";
import { ErrorCode } from "../../../core/errors.js";
import { tensor } from "../../../core/tensor/tensor.js";

// Two rows [uncond, cond] of a 2-token, 3-wide prompt.
const conditioning: Conditioning = {
  rows: ["uncond", "cond"],
  promptEmbeds: tensor([2, 2, 3], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]),
  textEmbeds: tensor([2, 1], [0, 1]),
  timeIds: tensor([2, 6]),
};
const embeds = (v: number) => tensor([1, 2, 3], new Array(6).fill(v));
const mask = (width: number, height: number, values: number[]) => ({ width, height, data: Float32Array.from(values) });

describe("buildRegionConditioning", () => {
  it("puts the region's tokens in the cond row and keeps the negative in the uncond row", () => {
    const [region] = buildRegionConditioning([{ embeds: embeds(7), mask: mask(1, 1, [1]) }], conditioning, 1, 1);
    expect([...region.promptEmbeds.data]).toEqual([0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 7, 7]);
    expect(region.promptEmbeds.shape).toEqual([2, 2, 3]);
  });

  it("uses the only row as the cond row without guidance", () => {
    const single: Conditioning = { rows: ["cond"], promptEmbeds: embeds(1), textEmbeds: tensor([1, 1]), timeIds: tensor([1, 6]) };
    const [region] = buildRegionConditioning([{ embeds: embeds(3), mask: mask(1, 1, [1]) }], single, 1, 1);
    expect([...region.promptEmbeds.data]).toEqual(new Array(6).fill(3));
  });

  it(
    "resizes a mask bilinearly (align_corners false) to the latent size: [0, 0, 1, 1] → [0, 1] at width 2, [0, 1] → [0, 0.25, " +
      "0.75, 1] at width 4",
    () => {
      const [half] = buildRegionConditioning([{ embeds: embeds(2), mask: mask(4, 1, [0, 0, 1, 1]) }], conditioning, 1, 2);
      expect([...half.weights]).toEqual([0, 1]);
      const [up] = buildRegionConditioning([{ embeds: embeds(2), mask: tensor([1, 2], [0, 1]) }], conditioning, 1, 4);
      expect([...up.weights]).toEqual([0, 0.25, 0.75, 1]);
    },
  );

  it("keeps weights whose sum is ≤ 1 and divides them by their sum where it exceeds 1", () => {
    const regions = buildRegionConditioning(
      [
        { embeds: embeds(2), mask: mask(3, 1, [0.3, 1, 0.5]) },
        { embeds: embeds(3), mask: mask(3, 1, [0.2, 1, 1]) },
      ],
      conditioning,
      1,
      3,
    );
    expect([...regions[0].weights]).toEqual([0.3, 0.5, 0.5 / 1.5].map(Math.fround));
    expect([...regions[1].weights]).toEqual([0.2, 0.5, 1 / 1.5].map(Math.fround));
  });

  it("refuses embeddings shaped unlike the prompt's, naming both shapes", () => {
    const wrong = () => buildRegionConditioning([{ embeds: tensor([1, 4, 3]), mask: mask(1, 1, [1]) }], conditioning, 1, 1);
    expect(wrong).toThrow(
      expect.objectContaining({
        code: ErrorCode.ShapeMismatch,
        message: expect.stringMatching(/regions\[0\]\.embeds has shape \[1, 4, 3\].*\[1, 2, 3\]/),
      }),
    );
  });

  it("refuses mask values outside [0, 1] and masks whose data does not fit their size", () => {
    expect(() => buildRegionConditioning([{ embeds: embeds(1), mask: mask(2, 1, [0, 1.5]) }], conditioning, 1, 1)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput, message: expect.stringContaining("value 1.5 at pixel 1") }),
    );
    expect(() => buildRegionConditioning([{ embeds: embeds(1), mask: mask(2, 2, [0, 1]) }], conditioning, 1, 1)).toThrow(
      expect.objectContaining({ code: ErrorCode.ShapeMismatch }),
    );
    expect(() => buildRegionConditioning([{ embeds: embeds(1), mask: tensor([2, 1, 1], [0, 1]) }], conditioning, 1, 1)).toThrow(
      expect.objectContaining({ code: ErrorCode.ShapeMismatch }),
    );
  });
});

describe("blendRegions", () => {
  // [rows 2, channels 1, 1 × 2 pixels]: uncond row then cond row.
  const shared = tensor([2, 1, 1, 2], [9, 9, 1, 2]);

  it("computes cond = (1 − Σ a_r)·shared + Σ a_r·pred_r per pixel and leaves the uncond row alone", () => {
    const regions = [
      { promptEmbeds: tensor([1]), weights: Float32Array.from([0.5, 0]) },
      { promptEmbeds: tensor([1]), weights: Float32Array.from([0.25, 1]) },
    ];
    const out = blendRegions(shared, [tensor([2, 1, 1, 2], [5, 5, 3, 10]), tensor([2, 1, 1, 2], [6, 6, 5, 4])], regions);
    expect([...out.data]).toEqual([9, 9, 0.25 * 1 + 0.5 * 3 + 0.25 * 5, 4]);
  });

  it("returns the shared prediction to the bit when a region predicts the same", () => {
    const odd = tensor([2, 1, 1, 2], [0.1, 0.2, 0.30000001, 0.7]);
    const out = blendRegions(odd, [odd], [{ promptEmbeds: tensor([1]), weights: Float32Array.from([0.3, 0.9]) }]);
    expect(out.data).toEqual(odd.data);
  });
});
