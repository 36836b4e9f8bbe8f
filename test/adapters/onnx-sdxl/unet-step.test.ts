import { beforeAll, expect, it } from "vitest";
import type { GenerationHook } from "../../../core/hooks/types.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { callUnet } from "../../../adapters/onnx-sdxl/unet-step.js";
import { openUnet } from "../../../adapters/onnx-sdxl/unet.js";
import { composeHooks } from "../../../core/hooks/compose.js";
import type { UnetModel } from "../../../core/identitynet/unet-model.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared } from "../../helpers/shared.js";
import { goldenUnetCases, goldenUnetPath, row } from "./golden-unet.js";

const tolerance = { abs: 2e-4, rel: 1e-3 };

describeShared("UNet call of the reference runner", "golden/unet", () => {
  let unet: UnetModel;
  let cases: Map<string, Tensor>;
  beforeAll(async () => {
    unet = await openUnet(goldenUnetPath());
    cases = await goldenUnetCases();
  });

  const positiveStep = () => ({
    index: 0,
    total: 1,
    sample: cases.get("sample")!,
    timestep: cases.get("timestep")!,
    promptEmbeds: row(cases.get("prompt_embeds")!, 1),
    textEmbeds: row(cases.get("text_embeds")!, 1),
    timeIds: row(cases.get("time_ids")!, 1),
  });

  it("finds the golden UNet's four down and one mid residual inputs by name", () => {
    expect(unet.residualInputs?.names.down).toEqual([0, 1, 2, 3].map((i) => `down_block_additional_residual_${i}`));
    expect(unet.residualInputs?.names.mid).toBe("mid_block_additional_residual");
  });

  it("feeds zero residuals without hooks and reproduces out_plain", async () => {
    const out = await callUnet(unet, undefined, positiveStep());
    assertClose(out.data, cases.get("out_plain")!.data, tolerance, "out_plain");
  });

  it("sums residuals of two composed hooks (0.5 + 0.3 of IdentityNet's) and reproduces out_with_residuals_scale0.8", async () => {
    const residualHook = (name: string, scale: number): GenerationHook => ({
      name,
      beforeStep: () => {
        const scaled = [0, 1, 2, 3, 4].map((i) => {
          const t = cases.get(`identitynet_residual_${i}`)!;
          return tensor(t.shape, t.data.map((v) => v * scale));
        });
        return { residuals: { down: scaled.slice(0, 4), mid: scaled[4] } };
      },
    });
    const out = await callUnet(unet, composeHooks(residualHook("a", 0.5), residualHook("b", 0.3)), positiveStep());
    assertClose(out.data, cases.get("out_with_residuals_scale0.8")!.data, tolerance, "out_with_residuals_scale0.8");
  });

  it("refuses two composed hooks that set the same UNet input, naming both", async () => {
    const hook = (name: string): GenerationHook => ({ name, beforeStep: () => ({ inputs: { ip_tokens: tensor([1]) } }) });
    await expect(callUnet(unet, composeHooks(hook("first"), hook("second")), positiveStep())).rejects.toThrow(/"second" and "first" both set the UNet input "ip_tokens"/);
  });

  it("refuses a hook input the UNet does not take, pointing at patchImageAdapter", async () => {
    const hook: GenerationHook = { name: "adapter", beforeStep: () => ({ inputs: { ip_tokens: tensor([1]) } }) };
    await expect(callUnet(unet, hook, positiveStep())).rejects.toThrow(/no input ip_tokens.*patchImageAdapter/);
  });

  it("refuses residuals for a UNet without residual inputs", async () => {
    const plain = { ...unet, residualInputs: undefined };
    const residuals = { down: [0, 1, 2, 3].map((i) => cases.get(`identitynet_residual_${i}`)!), mid: cases.get("identitynet_residual_4")! };
    await expect(callUnet(plain, { name: "cn", beforeStep: () => ({ residuals }) }, positiveStep())).rejects.toThrow(/no residual inputs/);
  });
});
