import { beforeAll, expect, it } from "vitest";
import type { GenerationHook, StepContext } from "../../../core/hooks/types.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { predictNoise } from "../../../adapters/onnx-sdxl/predict-noise.js";
import { callUnet } from "../../../adapters/onnx-sdxl/unet-step.js";
import { openUnet } from "../../../adapters/onnx-sdxl/unet.js";
import type { UnetModel } from "../../../core/unet/unet-model.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared } from "../../helpers/shared.js";
import { goldenUnetCases, goldenUnetPath, row } from "./golden-unet.js";

const tolerance = { abs: 2e-4, rel: 1e-3 };

describeShared("predictNoise (one guided step, for the unet conformance kind)", "golden/unet", () => {
  let unet: UnetModel;
  let cases: Map<string, Tensor>;
  beforeAll(async () => {
    unet = await openUnet(goldenUnetPath());
    cases = await goldenUnetCases();
  });
  const input = () => ({
    sample: cases.get("sample")!,
    timestep: cases.get("timestep")!.data[0],
    promptEmbeds: cases.get("prompt_embeds")!,
    textEmbeds: cases.get("text_embeds")!,
    timeIds: cases.get("time_ids")!,
    guidance: 5,
  });

  it("runs the batch [uncond, cond] once: the cond row is out_plain, the uncond row the negative prompt's step", async () => {
    const noise = await predictNoise(unet, [], input());
    assertClose(noise.cond.data, cases.get("out_plain")!.data, tolerance, "cond row");
    const negative = await callUnet(unet, undefined, {
      index: 0,
      total: 1,
      sample: cases.get("sample")!,
      timestep: cases.get("timestep")!,
      promptEmbeds: row(cases.get("prompt_embeds")!, 0),
      textEmbeds: row(cases.get("text_embeds")!, 0),
      timeIds: row(cases.get("time_ids")!, 0),
    });
    assertClose(noise.uncond.data, negative.data, tolerance, "uncond row");
    const expected = noise.uncond.data.map((u, i) => u + 5 * (noise.cond.data[i] - u));
    assertClose(noise.guided.data, expected, { abs: 1e-6 }, "guided");
  });

  it("prepares hooks for a one-step generation with rows [uncond, cond], asks them once, then resets them", async () => {
    const calls: string[] = [];
    let seen: StepContext | undefined;
    const hook: GenerationHook = {
      name: "probe",
      prepare: (context) => void calls.push(`prepare ${context.rows.join(",")} ${context.width}x${context.height}`),
      beforeStep: (step) => void ((seen = step), calls.push(`step ${step.index}/${step.total}`)),
      reset: () => void calls.push("reset"),
    };
    await predictNoise(unet, [hook], input());
    expect(calls).toEqual(["prepare uncond,cond 128x128", "step 0/1", "reset"]);
    expect(seen!.sample.shape).toEqual([2, 4, 16, 16]);
  });
});
