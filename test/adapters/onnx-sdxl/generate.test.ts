import { beforeAll, describe, expect, it } from "vitest";
import type { GenerationHook } from "../../../core/hooks/types.js";
import type { ProgressEvent } from "../../../core/progress.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { generate } from "../../../adapters/onnx-sdxl/generate.js";
import type { GenerateOptions } from "../../../adapters/onnx-sdxl/options.js";
import { describeShared, tempDir } from "../../helpers/shared.js";
import { goldenUnetCases, goldenUnetPath, row } from "./golden-unet.js";
import { tinyVae } from "./tiny-vae.js";
import { assertClose } from "../../helpers/assert-close.js";
import { residualHook, tinyPooled, tinySyntheticModels, tinyTokens } from "./tiny-synthetic.js";
import { loadUnet } from "../../../core/unet/unet-model.js";

describeShared("generate (in-process reference runner)", "golden/unet", () => {
  let cases: Map<string, Tensor>;
  beforeAll(async () => {
    cases = await goldenUnetCases();
  });
  const options = (extra: Partial<GenerateOptions> = {}): GenerateOptions => ({
    models: { unet: goldenUnetPath() },
    prompt: {
      embeds: row(cases.get("prompt_embeds")!, 1),
      pooled: row(cases.get("text_embeds")!, 1),
      negativeEmbeds: row(cases.get("prompt_embeds")!, 0),
      negativePooled: row(cases.get("text_embeds")!, 0),
    },
    width: 128,
    height: 128,
    steps: 4,
    seed: 7,
    ...extra,
  });

  it("is reproducible for a seed and differs for another seed", async () => {
    const a = await generate(options());
    const b = await generate(options());
    const c = await generate(options({ seed: 8 }));
    expect(a.latent.shape).toEqual([1, 4, 16, 16]);
    expect(a.latent.data).toEqual(b.latent.data);
    expect(a.latent.data).not.toEqual(c.latent.data);
    expect(a.latent.data.every(Number.isFinite)).toBe(true);
  });

  it("starts from given latents instead of the seed's noise (diffusers' latents=), and refuses latents of another size", async () => {
    const { createRng } = await import("../../../adapters/onnx-sdxl/random.js");
    const noise = tensor([1, 4, 16, 16], createRng(7).gaussian(4 * 16 * 16));
    const fromSeed = await generate(options());
    const given = await generate(options({ seed: 123, latents: noise }));
    expect(given.latent.data).toEqual(fromSeed.latent.data);
    await expect(generate(options({ latents: tensor([1, 4, 8, 8]) }))).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
  });

  it("returns a 128×128 latent preview when no VAE decoder is given", async () => {
    const result = await generate(options());
    expect(result.decoded).toBe(false);
    expect([result.image.width, result.image.height]).toEqual([128, 128]);
  });

  it("reports progress once per step and calls hooks prepare once, beforeStep per step with 0-based indices, reset at the end", async () => {
    const events: ProgressEvent[] = [];
    const calls: string[] = [];
    const hook: GenerationHook = {
      name: "probe",
      prepare: (c) => void calls.push(`prepare ${c.steps} ${c.rows.join(",")}`),
      beforeStep: (s) => void calls.push(`step ${s.index}/${s.total} t=${s.timestep.data[0]}`),
      reset: () => void calls.push("reset"),
    };
    await generate(options(), { hooks: [hook], onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.completed)).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual(["prepare 4 uncond,cond", "step 0/4 t=751", "step 1/4 t=501", "step 2/4 t=251", "step 3/4 t=1", "reset"]);
  });

  it("defaults guidance to 1 with LCM (one row) and to 5 otherwise (two rows)", async () => {
    const rows: number[] = [];
    const hook: GenerationHook = { name: "rows", beforeStep: (s) => void rows.push(s.sample.shape[0]) };
    await generate(options({ scheduler: "lcm", steps: 1 }), { hooks: [hook] });
    await generate(options({ steps: 1 }), { hooks: [hook] });
    expect(rows).toEqual([1, 2]);
  });

  it("runs one row only when guidance ≤ 1 (LCM-style)", async () => {
    const rows: number[] = [];
    const hook: GenerationHook = { name: "rows", beforeStep: (s) => void rows.push(s.sample.shape[0]) };
    await generate(options({ guidance: 1, scheduler: "lcm" }), { hooks: [hook] });
    expect(rows).toEqual([1, 1, 1, 1]);
  });

  it("img2img with strength 0.5 runs the last half of the schedule from the given latent", async () => {
    const steps: number[] = [];
    const hook: GenerationHook = { name: "steps", beforeStep: (s) => void steps.push(s.timestep.data[0]) };
    const init = { latent: tensor([1, 4, 16, 16], new Float32Array(1024).fill(0.1)), strength: 0.5 };
    const result = await generate(options({ init }), { hooks: [hook] });
    expect(steps).toEqual([251, 1]);
    expect(result.latent.data).not.toEqual(init.latent.data);
  });

  it("img2img from an image encodes it with the VAE encoder and decodes the result with the decoder", async () => {
    const vae = await tinyVae(await tempDir());
    const image = { width: 128, height: 128, data: new Uint8Array(128 * 128 * 3).fill(200) };
    const result = await generate({
      ...options({ width: undefined, height: undefined }),
      models: { unet: goldenUnetPath(), vaeEncoder: vae.encoder, vaeDecoder: vae.decoder },
      init: { image, strength: 0.5 },
    });
    expect(result.decoded).toBe(true);
    expect([result.image.width, result.image.height]).toEqual([128, 128]);
  });

  it("asks for a VAE encoder when img2img is given an image without one", async () => {
    const image = { width: 128, height: 128, data: new Uint8Array(128 * 128 * 3) };
    await expect(generate(options({ init: { image } }))).rejects.toThrow(/init.image needs models.vaeEncoder/);
  });

  it("stops at the next step when the AbortSignal fires, resets hooks and rejects with ABORTED", async () => {
    const controller = new AbortController();
    let reset = false;
    const hook: GenerationHook = {
      name: "abort-after-2",
      beforeStep: (s) => void (s.index === 1 && controller.abort()),
      reset: () => void (reset = true),
    };
    await expect(generate(options(), { hooks: [hook], signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
    expect(reset).toBe(true);
  });

  it("rejects sides that are not multiples of 8 with the option's path in the message", async () => {
    await expect(generate(options({ width: 130, height: 128 }))).rejects.toThrow(/width: must be a multiple of 8/);
  });

  it("takes the output size from sizeFrom (e.g. the keypoint image), floored to multiples of 8", async () => {
    const result = await generate(options({ width: undefined, height: undefined, sizeFrom: { width: 135, height: 130 }, steps: 1 }));
    expect([result.width, result.height]).toEqual([128, 128]);
  });
});

describe("generate with region prompts (tiny synthetic UNet)", () => {
  let unet: string;
  beforeAll(async () => {
    unet = (await tinySyntheticModels()).unet;
  });
  const options = (extra: Partial<GenerateOptions> = {}): GenerateOptions => ({
    models: { unet },
    prompt: { embeds: tinyTokens(1), pooled: tinyPooled(2) },
    width: 64,
    height: 64,
    steps: 3,
    seed: 5,
    ...extra,
  });
  const leftHalf = { width: 64, height: 64, data: Float32Array.from({ length: 64 * 64 }, (_, p) => (p % 64 < 32 ? 1 : 0)) };

  it("asks the hooks once per step with two regions (one contribution for the 1 + 2 UNet passes), and regions change the result", async () => {
    const residualInputs = (await loadUnet(unet)).residualInputs!;
    const hook = residualHook(residualInputs);
    const regions = [
      { embeds: tinyTokens(7), mask: leftHalf },
      { embeds: tinyTokens(8), mask: tensor([1, 1, 2, 2], [0, 1, 0, 1]) },
    ];
    const regional = await generate(options({ regions }), { hooks: [hook] });
    expect(hook.calls).toBe(3);
    const plain = await generate(options(), { hooks: [residualHook(residualInputs)] });
    expect(regional.latent.data).not.toEqual(plain.latent.data);
  });

  it("gives the same latent, to the bit, as no regions when every region's tokens are the shared prompt's", async () => {
    const plain = await generate(options());
    const same = await generate(
      options({
        regions: [
          { embeds: tinyTokens(1), mask: leftHalf },
          { embeds: tinyTokens(1), mask: tensor([3, 3], new Array(9).fill(0.7)) },
        ],
      }),
    );
    expect(same.latent.data).toEqual(plain.latent.data);
  });

  it("runs regions without guidance too (one row: the region's tokens replace the prompt's where its mask is 1)", async () => {
    const everywhere = await generate(options({ guidance: 1, regions: [{ embeds: tinyTokens(7), mask: tensor([1, 1], [1]) }] }));
    const onRegion = await generate(options({ guidance: 1, prompt: { embeds: tinyTokens(7), pooled: tinyPooled(2) } }));
    assertClose(everywhere.latent.data, onRegion.latent.data, { abs: 1e-5, rel: 0 }, "latent");
  });

  it("refuses malformed regions at the boundary (INVALID_OPTION) and mis-shaped ones before the loop (SHAPE_MISMATCH)", async () => {
    await expect(generate(options({ regions: [{ embeds: tinyTokens(7) } as never] }))).rejects.toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringContaining("regions") }),
    );
    await expect(generate(options({ regions: [{ embeds: tensor([1, 77, 8]), mask: leftHalf }] }))).rejects.toThrow(
      expect.objectContaining({ code: "SHAPE_MISMATCH" }),
    );
  });
});
