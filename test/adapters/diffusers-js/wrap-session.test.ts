import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { GenerationHook } from "../../../core/hooks/types.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { tensor } from "../../../core/tensor/tensor.js";
import type { SessionLike } from "../../../adapters/diffusers-js/session-like.js";
import { wrapUnetSession } from "../../../adapters/diffusers-js/wrap-session.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { createInstantIdHook } from "../../../adapters/onnx-sdxl/instantid-hook.js";
import { goldenUnetCases, goldenUnetPath } from "../onnx-sdxl/golden-unet.js";

/**
 * A JS runner in the style of diffusers.js: it knows nothing of InstantID, residuals or hooks,
 * only `unet.run(feeds)` with a [uncond, cond] (or reversed) batch, and a toy update rule.
 */
async function tinyRunner(
  unet: SessionLike,
  c: Map<string, Tensor>,
  options: { timesteps: number[]; condFirst?: boolean; zeroNegative?: boolean },
): Promise<Float32Array[]> {
  const rowsOf = (t: Tensor, negative: Float32Array): Float32Array => {
    const size = t.data.length / 2;
    const [neg, pos] = [options.zeroNegative ? new Float32Array(size) : negative, t.data.slice(size)];
    const out = new Float32Array(size * 2);
    out.set(options.condFirst ? pos : neg, 0);
    out.set(options.condFirst ? neg : pos, size);
    return out;
  };
  const embeds = c.get("prompt_embeds")!;
  const pooled = c.get("text_embeds")!;
  const ids = c.get("time_ids")!;
  let latent = c.get("sample")!.data.slice();
  const outputs: Float32Array[] = [];
  for (const t of options.timesteps) {
    const batch = new Float32Array(latent.length * 2);
    batch.set(latent, 0);
    batch.set(latent, latent.length);
    const result = await unet.run({
      sample: new ort.Tensor("float32", batch, [2, 4, 16, 16]),
      timestep: new ort.Tensor("float32", Float32Array.of(t), [1]),
      encoder_hidden_states: new ort.Tensor("float32", rowsOf(embeds, embeds.data.slice(0, embeds.data.length / 2)), [2, 77, 64]),
      text_embeds: new ort.Tensor("float32", rowsOf(pooled, pooled.data.slice(0, 32)), [2, 32]),
      time_ids: new ort.Tensor("float32", ids.data.slice(), [2, 6]),
    });
    const noise = result.out_sample.data as Float32Array;
    outputs.push(noise);
    latent = latent.map((v, i) => v - 0.1 * (noise[i] + 5 * (noise[i + latent.length] - noise[i])));
  }
  return outputs;
}

describeShared("wrapUnetSession (diffusers.js-style runners)", "golden/unet", () => {
  let session: ort.InferenceSession;
  let c: Map<string, Tensor>;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(goldenUnetPath());
    c = await goldenUnetCases();
  });

  const condRowResiduals = (scale: number): GenerationHook => {
    let rows: readonly string[] = [];
    return {
      name: "identitynet-like",
      prepare: (context) => void (rows = context.rows),
      beforeStep: () => {
        const perRow = (i: number): Tensor => {
          const t = c.get(`identitynet_residual_${i}`)!;
          const data = new Float32Array(t.data.length * 2);
          data.set(
            t.data.map((v) => v * scale),
            rows.indexOf("cond") * t.data.length,
          );
          return tensor([2, ...t.shape.slice(1)], data);
        };
        const all = [0, 1, 2, 3, 4].map(perRow);
        return { residuals: { down: all.slice(0, 4), mid: all[4] } };
      },
    };
  };

  it("lets a runner that feeds no residuals call a residual UNet, adding the hooks' residuals to the cond row", async () => {
    const wrapped = wrapUnetSession(session as unknown as SessionLike, { hooks: [condRowResiduals(0.8)], steps: 1 });
    const [noise] = await tinyRunner(wrapped, c, { timesteps: [c.get("timestep")!.data[0]] });
    assertClose(noise.slice(1024), c.get("out_with_residuals_scale0.8")!.data, { abs: 2e-4, rel: 1e-3 }, "cond row");
  });

  it("finds the cond row first when the runner puts an all-zero negative second", async () => {
    const wrapped = wrapUnetSession(session as unknown as SessionLike, { hooks: [condRowResiduals(0.8)], steps: 1 });
    const [noise] = await tinyRunner(wrapped, c, { timesteps: [c.get("timestep")!.data[0]], condFirst: true, zeroNegative: true });
    assertClose(noise.slice(0, 1024), c.get("out_with_residuals_scale0.8")!.data, { abs: 2e-4, rel: 1e-3 }, "cond row");
  });

  it("detects steps from falling timesteps and a new generation from a rising one", async () => {
    const calls: string[] = [];
    const probe: GenerationHook = {
      name: "probe",
      prepare: (context) => void calls.push(`prepare ${context.rows.join(",")} ${context.width}`),
      beforeStep: (step) => void calls.push(`step ${step.index}/${step.total}`),
      reset: () => void calls.push("reset"),
    };
    const wrapped = wrapUnetSession(session as unknown as SessionLike, { hooks: [probe], steps: 3 });
    await tinyRunner(wrapped, c, { timesteps: [901, 501, 101] });
    await tinyRunner(wrapped, c, { timesteps: [901, 501] });
    wrapped.reset();
    expect(calls).toEqual([
      "prepare uncond,cond 128",
      "step 0/3",
      "step 1/3",
      "step 2/3",
      "reset",
      "prepare uncond,cond 128",
      "step 0/3",
      "step 1/3",
      "reset",
    ]);
  });

  it("with the real InstantID hooks on the patched UNet, reproduces the golden whole step (step_noise_uncond / _cond)", async () => {
    const adapter = await loadImageAdapter(sharedPath("golden/unet/ip-adapter.bin"));
    const patched = await patchImageAdapter(goldenUnetPath(), adapter, { outDir: await tempDir() });
    const hook = await createInstantIdHook({
      identityNet: sharedPath("golden/unet/identitynet.onnx"),
      faces: [{ faceTokens: c.get("face_tokens")!, uncondFaceTokens: c.get("uncond_face_tokens")!, keypointImage: c.get("kps_image")! }],
    });
    const wrapped = wrapUnetSession((await ort.InferenceSession.create(patched.modelPath!)) as unknown as SessionLike, {
      hooks: [hook],
      steps: 1,
    });
    const [noise] = await tinyRunner(wrapped, c, { timesteps: [c.get("timestep")!.data[0]] });
    assertClose(noise.slice(0, 1024), c.get("step_noise_uncond")!.data, { abs: 2e-4, rel: 1e-3 }, "uncond row");
    assertClose(noise.slice(1024), c.get("step_noise_cond")!.data, { abs: 2e-4, rel: 1e-3 }, "cond row");
  });

  it("serves a runner that calls uncond and cond separately (one row each), re-preparing the hooks per row", async () => {
    const adapter = await loadImageAdapter(sharedPath("golden/unet/ip-adapter.bin"));
    const patched = await patchImageAdapter(goldenUnetPath(), adapter, { outDir: await tempDir() });
    const hook = await createInstantIdHook({
      identityNet: sharedPath("golden/unet/identitynet.onnx"),
      faces: [{ faceTokens: c.get("face_tokens")!, uncondFaceTokens: c.get("uncond_face_tokens")!, keypointImage: c.get("kps_image")! }],
    });
    const wrapped = wrapUnetSession((await ort.InferenceSession.create(patched.modelPath!)) as unknown as SessionLike, {
      hooks: [hook],
      steps: 1,
      separateCalls: "uncond-first",
    });
    const one = (t: Tensor, r: number, dims: number[]) =>
      new ort.Tensor("float32", t.data.slice(r * (t.data.length / 2), (r + 1) * (t.data.length / 2)), dims);
    const noise: Float32Array[] = [];
    for (const r of [0, 1]) {
      const out = await wrapped.run({
        sample: new ort.Tensor("float32", c.get("sample")!.data.slice(), [1, 4, 16, 16]),
        timestep: new ort.Tensor("float32", c.get("timestep")!.data.slice(), [1]),
        encoder_hidden_states: one(c.get("prompt_embeds")!, r, [1, 77, 64]),
        text_embeds: one(c.get("text_embeds")!, r, [1, 32]),
        time_ids: one(c.get("time_ids")!, r, [1, 6]),
      });
      noise.push(out.out_sample.data as Float32Array);
    }
    assertClose(noise[0], c.get("step_noise_uncond")!.data, { abs: 2e-4, rel: 1e-3 }, "uncond call");
    assertClose(noise[1], c.get("step_noise_cond")!.data, { abs: 2e-4, rel: 1e-3 }, "cond call");
  });

  it("passes the session's own properties through", () => {
    const wrapped = wrapUnetSession(session as unknown as SessionLike, { hooks: [] });
    expect(wrapped.inputNames).toEqual(session.inputNames);
  });
});

describe("wrapUnetSession on any session-like object", () => {
  it("adds the hooks' image-attention inputs to the feeds as tensors of the runner's own kind", async () => {
    let seen: Record<string, { dims: readonly number[] }> = {};
    const fake: SessionLike = { run: async (feeds) => ((seen = feeds), {}) };
    const adapter: GenerationHook = { name: "adapter", beforeStep: () => ({ inputs: { ip_tokens: tensor([2, 16, 64]) } }) };
    const wrapped = wrapUnetSession(fake, { hooks: [adapter] });
    await wrapped.run({
      sample: new ort.Tensor("float32", new Float32Array(2 * 4 * 8 * 8), [2, 4, 8, 8]),
      timestep: new ort.Tensor("float32", Float32Array.of(999), [1]),
      encoder_hidden_states: new ort.Tensor("float32", new Float32Array(2 * 77 * 8).fill(1), [2, 77, 8]),
    });
    expect(seen.ip_tokens).toBeInstanceOf(ort.Tensor);
    expect(seen.ip_tokens.dims).toEqual([2, 16, 64]);
  });

  it("explains float16 feeds are not read", async () => {
    const wrapped = wrapUnetSession({ run: async () => ({}) } as SessionLike, { hooks: [] });
    const half = { type: "float16", dims: [1, 4, 8, 8], data: new Uint16Array(256) };
    await expect(wrapped.run({ sample: half, timestep: { type: "float32", dims: [1], data: Float32Array.of(1) } })).rejects.toThrow(
      /float16; the InstantID session wrapper reads float32/,
    );
  });
});
