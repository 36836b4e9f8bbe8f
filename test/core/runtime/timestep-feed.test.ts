import { describe, expect, it } from "vitest";
import { loadUnet, runUnet } from "../../../core/unet/unet-model.js";
import { encodeModel } from "../../../core/onnx/model.js";
import { buildSyntheticUnet } from "../../../core/synthetic/unet.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { MICRO_UNET, wave } from "../../helpers/synthetic-unet.js";

describe("runUnet feeds the timestep as the export declares it", () => {
  it("an int64 timestep input (optimum's older SDXL exports) gets the same step as a float one", async () => {
    const step = {
      index: 0,
      total: 1,
      sample: tensor([1, 4, 8, 8], wave(256, 1)),
      timestep: tensor([1], [501]),
      promptEmbeds: tensor([1, 77, MICRO_UNET.contextDim], wave(77 * MICRO_UNET.contextDim, 2)),
      textEmbeds: tensor([1, MICRO_UNET.pooledDim], wave(MICRO_UNET.pooledDim, 3)),
      timeIds: tensor([1, 6], [64, 64, 0, 0, 64, 64]),
    };
    const run = async (timestep: "float" | "int64") =>
      runUnet(await loadUnet(encodeModel(buildSyntheticUnet(MICRO_UNET, {}, { residualInputs: false, timestep }))), step);
    const [asFloat, asInt] = [await run("float"), await run("int64")];
    expect(asInt.data).toEqual(asFloat.data);
  });
});
