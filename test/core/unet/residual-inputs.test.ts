import { beforeAll, describe, expect, it } from "vitest";
import { type ControlNetModel, loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { checkResidualLink } from "../../../core/controlnet/residual-link.js";
import { checkResidualShapes, zeroResidualsFor } from "../../../core/unet/residual-inputs.js";
import { loadUnet, type UnetModel } from "../../../core/unet/unet-model.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

describeShared("IdentityNet to UNet residual link", "golden/unet", () => {
  let identitynet: ControlNetModel;
  let unet: UnetModel;
  beforeAll(async () => {
    identitynet = await loadControlNet(sharedPath("golden", "unet", "identitynet.onnx"));
    unet = await loadUnet(sharedPath("golden", "unet", "unet.onnx"));
  });

  it("pairs the golden IdentityNet outputs with the UNet's residual inputs", () => {
    expect(identitynet.residuals.down).toHaveLength(4);
    expect(unet.residualInputs?.names).toEqual({
      down: [0, 1, 2, 3].map((i) => `down_block_additional_residual_${i}`),
      mid: "mid_block_additional_residual",
    });
    expect(() => checkResidualLink(identitynet, unet.residualInputs!)).not.toThrow();
  });

  it("says which output and which input disagree when names are paired wrongly", async () => {
    const swapped = await loadControlNet(sharedPath("golden", "unet", "identitynet.onnx"), {
      residuals: {
        down: ["down_block_res_sample_0", "down_block_res_sample_1", "down_block_res_sample_3", "down_block_res_sample_2"],
        mid: "mid_block_res_sample",
      },
    });
    expect(() => checkResidualLink(swapped, unet.residualInputs!)).toThrow(
      /output down_block_res_sample_3 has shape \[batch, 64, 8, 8\] but the UNet input down_block_additional_residual_2 expects \[batch, 32, 8, 8\]/,
    );
  });

  it("names a missing ControlNet input and lists the graph's inputs", async () => {
    await expect(loadControlNet(sharedPath("golden", "unet", "identitynet.onnx"), { inputs: { controlnetCond: "image" } })).rejects.toThrow(
      /has no input image \(controlnetCond\); its inputs are sample, timestep, encoder_hidden_states, controlnet_cond, text_embeds, time_ids/,
    );
  });

  it("makes zero residuals of the UNet's shapes with the latent's rows", () => {
    const zeros = zeroResidualsFor(unet.residualInputs!, tensor([2, 4, 16, 16]));
    expect(zeros.down.map((t) => t.shape)).toEqual([
      [2, 32, 16, 16],
      [2, 32, 16, 16],
      [2, 32, 8, 8],
      [2, 64, 8, 8],
    ]);
    expect(zeros.mid.shape).toEqual([2, 64, 8, 8]);
  });

  it("refuses a computed residual of the wrong size before the UNet runs", () => {
    const zeros = zeroResidualsFor(unet.residualInputs!, tensor([1, 4, 16, 16]));
    const bad = { down: zeros.down, mid: tensor([1, 64, 4, 4]) };
    expect(() => checkResidualShapes(bad, unet.residualInputs!)).toThrow(
      /UNet input mid_block_additional_residual has shape \[1, 64, 4, 4\] but the UNet expects \[batch, 64, 8, 8\]/,
    );
  });
});

describe("zeroResidualsFor with sizes declared against the latent", () => {
  it('reads "height/N" and "width/N" as the latent\'s size over N, whatever the number of skips', () => {
    const dims = (c: number, f: number) => ["batch", c, f === 1 ? "height" : `height/${f}`, f === 1 ? "width" : `width/${f}`];
    const unet = {
      names: { down: ["d0", "d1", "d2"], mid: "m" },
      down: [dims(8, 1), dims(8, 2), dims(16, 4)],
      mid: dims(16, 8),
    };
    const zeros = zeroResidualsFor(unet, tensor([2, 4, 24, 40]));
    expect(zeros.down.map((t) => t.shape)).toEqual([
      [2, 8, 24, 40],
      [2, 8, 12, 20],
      [2, 16, 6, 10],
    ]);
    expect(zeros.mid.shape).toEqual([2, 16, 3, 5]);
  });
});
