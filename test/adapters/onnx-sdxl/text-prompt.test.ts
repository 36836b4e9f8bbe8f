import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../../adapters/onnx-sdxl/generate.js";
import type { GenerateOptions } from "../../../adapters/onnx-sdxl/options.js";
import type { ProgressEvent } from "../../../core/progress.js";
import { TINY_UNET } from "../../../core/synthetic/unet-config.js";
import { encodeSdxlPrompt } from "../../../core/text/sdxl-text-encoder.js";
import type { SdxlTextModels } from "../../../core/text/sdxl-text-models.js";
import { tempDir } from "../../helpers/shared.js";
import { writeTinySdxlText } from "../../helpers/text-models.js";
import { tinyPooled, tinySyntheticModels, tinyTokens } from "./tiny-synthetic.js";

describe("generate with a text prompt (tiny synthetic UNet, tiny text encoders)", () => {
  let unet: string;
  let text: SdxlTextModels;
  beforeAll(async () => {
    unet = (await tinySyntheticModels()).unet;
    // Encoder widths add up to the tiny UNet's context (24 + 40 = 64); text_embeds matches its pooled size.
    text = (await writeTinySdxlText(await tempDir(), "int64", { width: 24, width2: 40, pooled: TINY_UNET.pooledDim })).models;
  });
  const base = { width: 64, height: 64, steps: 2, seed: 3 } as const;

  it("gives, to the bit, the latent of the same prompt passed as embeddings from encodeSdxlPrompt", async () => {
    const fromText = await generate({ ...base, models: { unet, text }, prompt: "a cat", negativePrompt: "the" });
    const prompt = await encodeSdxlPrompt(text, { prompt: "a cat", negativePrompt: "the" });
    const fromEmbeds = await generate({ ...base, models: { unet }, prompt });
    expect(fromText.latent.data).toEqual(fromEmbeds.latent.data);
    expect(fromText.warnings).toEqual([]);
  });

  it("uses zeros for an absent negative prompt, like embeddings without negatives", async () => {
    const fromText = await generate({ ...base, models: { unet, text }, prompt: "a cat" });
    const { embeds, pooled } = await encodeSdxlPrompt(text, { prompt: "a cat" });
    const fromEmbeds = await generate({ ...base, models: { unet }, prompt: { embeds, pooled } });
    expect(fromText.latent.data).toEqual(fromEmbeds.latent.data);
    const withNegative = await generate({ ...base, models: { unet, text }, prompt: "a cat", negativePrompt: "" });
    expect(withNegative.latent.data).not.toEqual(fromText.latent.data);
  });

  it("reports the encoding as a progress stage and a truncated prompt in the result's warnings", async () => {
    const events: ProgressEvent[] = [];
    const result = await generate(
      { ...base, models: { unet, text }, prompt: Array(90).fill("cat").join(" ") },
      { onProgress: (e) => events.push(e) },
    );
    expect(events.filter((e) => e.stage === "encode prompt").map((e) => e.completed)).toEqual([0, 1]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: "PROMPT_TRUNCATED", message: expect.stringContaining("last 15 tokens were dropped") });
  });

  it("refuses a text prompt without models.text, and a negative prompt beside embeddings, naming the option", async () => {
    const check = async (options: GenerateOptions, fragment: string) => {
      const error = await generate(options).then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
      expect(error?.code).toBe("INVALID_OPTION");
      expect(error?.message).toContain(fragment);
    };
    await check({ ...base, models: { unet }, prompt: "a cat" }, "models.text");
    await check(
      { ...base, models: { unet }, prompt: { embeds: tinyTokens(1), pooled: tinyPooled(2) }, negativePrompt: "ugly" },
      "negativePrompt",
    );
  });
});
