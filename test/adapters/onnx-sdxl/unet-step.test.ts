import { beforeAll, describe, expect, it } from "vitest";
import type { GenerationHook } from "../../../core/hooks/types.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { buildRegionConditioning, type RegionPrompt } from "../../../adapters/onnx-sdxl/regions.js";
import { callUnet, callUnetWithRegions } from "../../../adapters/onnx-sdxl/unet-step.js";
import { openUnet } from "../../../adapters/onnx-sdxl/unet.js";
import { composeHooks } from "../../../core/hooks/compose.js";
import { runUnet, type UnetModel } from "../../../core/unet/unet-model.js";
import type { StepContext } from "../../../core/hooks/types.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared } from "../../helpers/shared.js";
import { goldenUnetCases, goldenUnetPath, row } from "./golden-unet.js";
import { residualHook, tinyPooled, tinySyntheticModels, tinyTokens } from "./tiny-synthetic.js";

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
          return tensor(
            t.shape,
            t.data.map((v) => v * scale),
          );
        });
        return { residuals: { down: scaled.slice(0, 4), mid: scaled[4] } };
      },
    });
    const out = await callUnet(unet, composeHooks(residualHook("a", 0.5), residualHook("b", 0.3)), positiveStep());
    assertClose(out.data, cases.get("out_with_residuals_scale0.8")!.data, tolerance, "out_with_residuals_scale0.8");
  });

  it("refuses two composed hooks that set the same UNet input, naming both", async () => {
    const hook = (name: string): GenerationHook => ({ name, beforeStep: () => ({ inputs: { ip_tokens: tensor([1]) } }) });
    await expect(callUnet(unet, composeHooks(hook("first"), hook("second")), positiveStep())).rejects.toThrow(
      /"second" and "first" both set the UNet input "ip_tokens"/,
    );
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

describe("UNet call with region prompts (tiny synthetic UNet)", () => {
  let unet: UnetModel;
  beforeAll(async () => {
    unet = await openUnet((await tinySyntheticModels()).unet);
  });
  const shared = tinyTokens(1);
  const negative = tinyTokens(2);
  const stacked = (a: Tensor, b: Tensor) => tensor([2, ...a.shape.slice(1)], Float32Array.from([...a.data, ...b.data]));
  const pooled = tinyPooled(3);
  const step = (): StepContext => ({
    index: 0,
    total: 1,
    sample: stacked(...([4, 5].map((seed) => tensor([1, 4, 8, 8], tinyTokens(seed).data.slice(0, 256))) as [Tensor, Tensor])),
    timestep: tensor([1], [500]),
    promptEmbeds: stacked(negative, shared),
    textEmbeds: stacked(tensor([1, 32]), pooled),
    timeIds: tensor([2, 6], [64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64]),
  });
  const conditioning = () => ({
    rows: ["uncond", "cond"] as const,
    promptEmbeds: step().promptEmbeds,
    textEmbeds: step().textEmbeds,
    timeIds: step().timeIds,
  });
  const regions = (list: RegionPrompt[]) => buildRegionConditioning(list, conditioning(), 8, 8);
  const ones = (width: number, height: number, fill: (x: number) => number = () => 1) => ({
    width,
    height,
    data: Float32Array.from({ length: width * height }, (_, p) => fill(p % width)),
  });
  const half = (t: Tensor, i: number) => t.data.slice((i * t.data.length) / 2, ((i + 1) * t.data.length) / 2);

  it("gives exactly the plain call's prediction when the region's tokens are the shared prompt's", async () => {
    const plain = await callUnet(unet, residualHook(unet.residualInputs!), step());
    const regional = await callUnetWithRegions(
      unet,
      residualHook(unet.residualInputs!),
      step(),
      regions([{ embeds: shared, mask: ones(64, 64, (x) => (x < 24 ? 1 : 0.4)) }]),
    );
    expect(regional.data).toEqual(plain.data);
  });

  it("with an all-ones mask, gives the cond row of a plain call on the region's tokens and the uncond row of the shared one", async () => {
    const region = tinyTokens(9);
    const regional = await callUnetWithRegions(
      unet,
      residualHook(unet.residualInputs!),
      step(),
      regions([{ embeds: region, mask: ones(64, 64) }]),
    );
    const onRegion = await callUnet(unet, residualHook(unet.residualInputs!), { ...step(), promptEmbeds: stacked(negative, region) });
    const onShared = await callUnet(unet, residualHook(unet.residualInputs!), step());
    assertClose(half(regional, 1), half(onRegion, 1), { abs: 1e-6, rel: 0 }, "cond row");
    expect(half(regional, 0)).toEqual(half(onShared, 0));
    expect(half(regional, 1)).not.toEqual(half(onShared, 1));
  });

  it(
    "with two regions on halves of the canvas, matches a manual blend of separate UNet calls sharing one contribution within " +
      "1e-6, asking the hook once",
    async () => {
      const [left, right] = [tinyTokens(10), tinyTokens(11)];
      const hook = residualHook(unet.residualInputs!);
      const list = regions([
        { embeds: left, mask: ones(64, 64, (x) => (x < 32 ? 1 : 0)) },
        { embeds: right, mask: ones(64, 64, (x) => (x < 32 ? 0 : 0.5)) },
      ]);
      const regional = await callUnetWithRegions(unet, hook, step(), list);
      expect(hook.calls).toBe(1);
      const again = residualHook(unet.residualInputs!);
      const contribution = await again.beforeStep!(step());
      const [s, l, r] = await Promise.all(
        [shared, left, right].map((t) => runUnet(unet, { ...step(), promptEmbeds: stacked(negative, t) }, contribution ?? undefined)),
      );
      const expected = Float32Array.from(s.data, (v, i) => {
        if (i < s.data.length / 2) return v;
        const x = i % 8; // latent column: the masks' halves are columns 0-3 and 4-7
        return x < 4 ? l.data[i] : 0.5 * v + 0.5 * r.data[i];
      });
      assertClose(regional.data, expected, { abs: 1e-6, rel: 0 }, "blended prediction");
    },
  );

  it("refuses regions when a hook sets the prompt input itself (tokens appended to the context)", async () => {
    const hook: GenerationHook = { name: "context", beforeStep: (s) => ({ inputs: { encoder_hidden_states: s.promptEmbeds } }) };
    await expect(callUnetWithRegions(unet, hook, step(), regions([{ embeds: tinyTokens(9), mask: ones(8, 8) }]))).rejects.toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringMatching(/encoder_hidden_states itself.*tokens: "inputs"/) }),
    );
  });
});
