import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../../adapters/onnx-sdxl/generate.js";
import { approximateRgb, isPreviewStep, predictedClean } from "../../../adapters/onnx-sdxl/latent-preview.js";
import type { GenerateOptions } from "../../../adapters/onnx-sdxl/options.js";
import { createRunner } from "../../../adapters/onnx-sdxl/runner.js";
import { alphasCumprod } from "../../../adapters/onnx-sdxl/schedulers/noise-schedule.js";
import { SDXL_TRAINING } from "../../../adapters/onnx-sdxl/schedulers/types.js";
import { generateInWorker } from "../../../adapters/onnx-sdxl/worker/generate-in-worker.js";
import type { ProgressEvent } from "../../../core/progress.js";
import { tinyPooled, tinySyntheticModels, tinyTokens } from "./tiny-synthetic.js";
import { buildWorkerBundle } from "./worker/build-worker.js";

/** The preview's PNG decoded to raw RGB. */
async function pixels(event: ProgressEvent): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(event.preview!.png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe("latent previews (SDXL latent → RGB approximation)", () => {
  it("maps each latent channel through SDXL's factors and bias, (v + 1) / 2 clamped to 0–255", () => {
    // One pixel: channel 0 = 1, others 0 → RGB = factors[0] + bias = (0.4735, 0.4057, 0.4330).
    const rgb = approximateRgb(Float32Array.from([1, 0, 0, 0]), 1, 1);
    expect([...rgb.data]).toEqual([0.4735, 0.4057, 0.433].map((v) => Math.round(((v + 1) / 2) * 255)));
    expect([...approximateRgb(Float32Array.from([50, 0, 0, 0]), 1, 1).data]).toEqual([255, 255, 255]);
    expect([...approximateRgb(Float32Array.from([-50, 0, 0, 0]), 1, 1).data]).toEqual([0, 0, 0]);
  });

  it("recovers the clean latent from a UNet input noised to timestep t and its noise", () => {
    const t = 501;
    const alpha = alphasCumprod(SDXL_TRAINING)[t];
    const clean = Float32Array.from([0.5, -1, 2, 0.25]);
    const noise = Float32Array.from([1, -0.3, 0.7, -2]);
    const input = clean.map((x, i) => Math.sqrt(alpha) * x + Math.sqrt(1 - alpha) * noise[i]);
    const recovered = predictedClean(input, noise, t);
    for (let i = 0; i < clean.length; i++) expect(recovered[i]).toBeCloseTo(clean[i], 4);
  });

  it("previews every N steps and at the last, never with 0 or unset", () => {
    expect([1, 2, 3, 4, 5].filter((n) => isPreviewStep(2, n, 5))).toEqual([2, 4, 5]);
    expect([1, 2, 3].filter((n) => isPreviewStep(0, n, 3))).toEqual([]);
    expect([1, 2, 3].filter((n) => isPreviewStep(undefined, n, 3))).toEqual([]);
  });
});

describe("generate with previewEvery (tiny synthetic models)", () => {
  let unet: string;
  let workerScript: string;
  beforeAll(async () => {
    unet = (await tinySyntheticModels()).unet;
    workerScript = (await buildWorkerBundle()).workerScript;
  });
  const options = (): GenerateOptions => ({
    models: { unet },
    prompt: { embeds: tinyTokens(1), pooled: tinyPooled(2) },
    width: 64,
    height: 64,
    steps: 5,
    seed: 11,
    scheduler: "euler",
  });

  it("attaches a 1/8-size PNG preview to steps 2, 4 and 5; the last one is the final latent's colours; the result is unchanged", async () => {
    const events: ProgressEvent[] = [];
    const withPreviews = await generate(options(), { previewEvery: 2, onProgress: (e) => events.push(e) });
    const denoise = events.filter((e) => e.stage === "denoise");
    expect(denoise.map((e) => e.completed)).toEqual([1, 2, 3, 4, 5]);
    expect(denoise.filter((e) => e.preview).map((e) => e.completed)).toEqual([2, 4, 5]);
    const last = denoise[4];
    expect(last.preview).toMatchObject({ width: 8, height: 8 });
    const decoded = await pixels(last);
    expect([decoded.width, decoded.height]).toEqual([8, 8]);
    // Euler's last step lands on σ = 0: the predicted clean latent is the final latent itself.
    const expected = approximateRgb(withPreviews.latent.data, 8, 8).data;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(decoded.data[i] - expected[i])).toBeLessThanOrEqual(1);
    // An early preview shows another picture than the last one (the image still taking shape).
    expect((await pixels(denoise[1])).data).not.toEqual(decoded.data);
    const plain = await generate(options());
    expect(withPreviews.latent.data).toEqual(plain.latent.data);
  });

  it("makes no preview without previewEvery, and refuses a previewEvery that is not a whole number of steps", async () => {
    const events: ProgressEvent[] = [];
    await generate(options(), { onProgress: (e) => events.push(e) });
    expect(events.some((e) => e.preview)).toBe(false);
    for (const previewEvery of [-1, 1.5]) {
      await expect(generate(options(), { previewEvery })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    }
  });

  it("carries previews across the worker thread: generateInWorker and a worker runner give the in-process previews", async () => {
    const collect = () => {
      const previews: ProgressEvent[] = [];
      return { previews, onProgress: (e: ProgressEvent) => void (e.preview && previews.push(e)) };
    };
    const inProcess = collect();
    await generate(options(), { previewEvery: 2, onProgress: inProcess.onProgress });
    const inWorker = collect();
    await generateInWorker(options(), { workerScript, previewEvery: 2, onProgress: inWorker.onProgress });
    const runner = createRunner({ worker: true, workerScript });
    const viaRunner = collect();
    try {
      await runner.generate(options(), { previewEvery: 2, onProgress: viaRunner.onProgress });
      await expect(runner.generate(options(), { previewEvery: -2 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    } finally {
      await runner.close();
    }
    for (const other of [inWorker.previews, viaRunner.previews]) {
      expect(other.map((e) => e.completed)).toEqual([2, 4, 5]);
      expect(other.map((e) => Buffer.from(e.preview!.png))).toEqual(inProcess.previews.map((e) => Buffer.from(e.preview!.png)));
    }
  });
});
