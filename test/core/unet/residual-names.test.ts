import { describe, expect, it } from "vitest";
import { controlNetOutputConventions, resolveResidualNames, unetInputConventions } from "../../../core/unet/residual-names.js";

const golden = ["down_block_res_sample_0", "down_block_res_sample_1", "mid_block_res_sample"];
const onnxstack = [
  "sample",
  "down_block_0_additional_residual",
  "down_block_1_additional_residual",
  "down_block_2_additional_residual",
  "mid_block_additional_residual",
];

describe("resolveResidualNames", () => {
  it("finds diffusers-style ControlNet outputs automatically", () => {
    expect(resolveResidualNames("auto", controlNetOutputConventions, golden, "IdentityNet outputs")).toEqual({
      down: ["down_block_res_sample_0", "down_block_res_sample_1"],
      mid: "mid_block_res_sample",
    });
  });

  it("finds OnnxStack names on both sides", () => {
    const expected = { down: onnxstack.slice(1, 4), mid: "mid_block_additional_residual" };
    expect(resolveResidualNames("auto", controlNetOutputConventions, onnxstack, "ControlNet outputs")).toEqual(expected);
    expect(resolveResidualNames("onnxstack", unetInputConventions, onnxstack, "UNet inputs")).toEqual(expected);
  });

  it("finds the diffusers UNet input names", () => {
    const names = ["sample", "down_block_additional_residual_0", "mid_block_additional_residual"];
    expect(resolveResidualNames("auto", unetInputConventions, names, "UNet inputs")).toEqual({
      down: ["down_block_additional_residual_0"],
      mid: "mid_block_additional_residual",
    });
  });

  it("accepts explicit names and names the one the graph lacks", () => {
    const explicit = { down: ["down_block_res_sample_0", "res_9"], mid: "mid_block_res_sample" };
    expect(() => resolveResidualNames(explicit, controlNetOutputConventions, golden, "IdentityNet outputs")).toThrow(
      /The IdentityNet outputs has no tensor named res_9; its names are down_block_res_sample_0, down_block_res_sample_1, mid_block_res_sample/,
    );
  });

  it("lists the graph's names and the conventions tried when none fits", () => {
    expect(() => resolveResidualNames("auto", unetInputConventions, ["sample", "x"], "UNet inputs")).toThrow(
      new RegExp(
        'The UNet inputs has no residual names of the "diffusers" \\(down_block_additional_residual_0\\.\\.\\., mid_block_additional_residual\\)' +
          ".*its names are sample, x\\. Pass the names explicitly",
      ),
    );
  });

  it("refuses an unknown preset name and lists the known ones", () => {
    expect(() => resolveResidualNames("comfy", unetInputConventions, golden, "UNet inputs")).toThrow(
      /Unknown residual naming preset "comfy".*auto, diffusers, onnxstack, numbered/,
    );
  });
});
