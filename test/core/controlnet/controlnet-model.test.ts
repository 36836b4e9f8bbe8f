import { describe, expect, it } from "vitest";
import { createControlNetHook } from "../../../core/controlnet/controlnet-hook.js";
import { loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { encodeModel, type OnnxValueInfo } from "../../../core/onnx/model.js";
import { tensor } from "../../../core/tensor/tensor.js";

function value(name: string, dims: (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** An OnnxStack-style ControlNet whose residuals are sample × conditioning_scale: it shows what scale the SDK feeds. */
function onnxStackStyleControlNet(): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "controlnet",
      node: [
        { opType: "Mul", input: ["sample", "conditioning_scale"], output: ["down_block_0_additional_residual"], name: "down0" },
        { opType: "Mul", input: ["sample", "conditioning_scale"], output: ["mid_block_additional_residual"], name: "mid" },
      ],
      initializer: [],
      input: [
        value("sample", ["batch", 4, 2, 2]),
        value("timestep", [1]),
        value("encoder_hidden_states", ["batch", 3, 4]),
        value("controlnet_cond", ["batch", 3, 16, 16]),
        value("conditioning_scale", [1]),
        value("text_embeds", ["batch", 2]),
        value("time_ids", ["batch", 6]),
      ],
      output: [value("down_block_0_additional_residual", ["batch", 4, 2, 2]), value("mid_block_additional_residual", ["batch", 4, 2, 2])],
    },
  });
}

describe("loadControlNet", () => {
  it("finds OnnxStack residual names and its conditioning_scale input", async () => {
    const model = await loadControlNet(onnxStackStyleControlNet(), { what: "depth ControlNet" });
    expect(model.residuals).toEqual({ down: ["down_block_0_additional_residual"], mid: "mid_block_additional_residual" });
    expect(model.inputs.conditioningScale).toBe("conditioning_scale");
  });

  it("feeds the graph's own scale 1 and applies the hook's scale once", async () => {
    const model = await loadControlNet(onnxStackStyleControlNet(), { what: "depth ControlNet" });
    const hook = createControlNetHook({ model, name: "depth", image: tensor([1, 3, 16, 16]), scale: 0.5 });
    hook.prepare({ rows: ["cond"], width: 16, height: 16, steps: 1 });
    const sample = tensor(
      [1, 4, 2, 2],
      Array.from({ length: 16 }, (_, i) => i),
    );
    const out = await hook.beforeStep({
      index: 0,
      total: 1,
      sample,
      timestep: tensor([1], [1]),
      promptEmbeds: tensor([1, 3, 4]),
      textEmbeds: tensor([1, 2]),
      timeIds: tensor([1, 6]),
    });
    expect([...out!.residuals!.mid.data]).toEqual([...sample.data].map((v) => v * 0.5));
  });

  it("refuses a preset the graph does not follow and lists its outputs", async () => {
    await expect(loadControlNet(onnxStackStyleControlNet(), { residuals: "diffusers" })).rejects.toThrow(
      new RegExp(
        'no residual names of the "diffusers" \\(down_block_res_sample_0\\.\\.\\., mid_block_res_sample\\) convention; ' +
          "its names are down_block_0_additional_residual, mid_block_additional_residual",
      ),
    );
  });
});
