import { describe, expect, it } from "vitest";
import { detectResidualNames } from "../../../core/unet/residual-names.js";

describe("detectResidualNames", () => {
  it("orders down_block_additional_residual_<i> numerically and finds the mid input", () => {
    const names = ["sample", "down_block_additional_residual_10", "mid_block_additional_residual", "down_block_additional_residual_2"];
    expect(detectResidualNames(names)).toEqual({ down: ["down_block_additional_residual_2", "down_block_additional_residual_10"], mid: "mid_block_additional_residual" });
  });

  it("reads OnnxStack's down_block_<i>_additional_residual names", () => {
    const names = ["down_block_1_additional_residual", "down_block_0_additional_residual", "mid_block_additional_residual"];
    expect(detectResidualNames(names)?.down).toEqual(["down_block_0_additional_residual", "down_block_1_additional_residual"]);
  });

  it("reports no residual inputs for a plain UNet", () => {
    expect(detectResidualNames(["sample", "timestep", "encoder_hidden_states"])).toBeUndefined();
  });
});
