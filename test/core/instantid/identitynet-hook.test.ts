import { beforeAll, expect, it } from "vitest";
import { composeHooks } from "../../../core/hooks/compose.js";
import type { StepContext } from "../../../core/hooks/types.js";
import { createControlNetHook } from "../../../core/controlnet/controlnet-hook.js";
import { type ControlNetModel, loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { createIdentityNetHook } from "../../../core/instantid/identitynet-hook.js";
import { resizeMaskBilinear } from "../../../core/masks/mask-tensor.js";
import { runControlNet } from "../../../core/controlnet/run.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

const tight = { abs: 1e-6, rel: 1e-5 };

function row(t: Tensor, r: number): Tensor {
  const size = t.data.length / t.shape[0];
  return { shape: [1, ...t.shape.slice(1)], data: t.data.slice(r * size, (r + 1) * size) };
}

describeShared("createIdentityNetHook", "golden/unet", () => {
  let model: ControlNetModel;
  const c = new Map<string, Tensor>();
  const positive = (index = 0, total = 1): StepContext => ({
    index,
    total,
    sample: c.get("sample")!,
    timestep: c.get("timestep")!,
    promptEmbeds: row(c.get("prompt_embeds")!, 1),
    textEmbeds: row(c.get("text_embeds")!, 1),
    timeIds: row(c.get("time_ids")!, 1),
  });
  const identity = (scale = 0.8) => ({
    faceTokens: c.get("face_tokens")!,
    uncondFaceTokens: c.get("uncond_face_tokens")!,
    keypointImage: c.get("kps_image")!,
    identityNetScale: scale,
  });
  const rawRun = (tokens: Tensor, image: Tensor, step = positive()) =>
    runControlNet(model, {
      sample: step.sample,
      timestep: step.timestep,
      encoderHiddenStates: tokens,
      cond: image,
      textEmbeds: step.textEmbeds,
      timeIds: step.timeIds,
    });

  beforeAll(async () => {
    model = await loadControlNet(sharedPath("golden", "unet", "identitynet.onnx"));
    const file = await SafetensorsFile.open(sharedPath("golden", "unet", "cases.safetensors"));
    for (const name of file.names()) c.set(name, await file.tensor(name));
    await file.close();
  });

  it("takes the strength as identityNetScale within [0, 10], and refuses the old name scale", () => {
    const make = (face: object) => createIdentityNetHook({ model, identities: [face as ReturnType<typeof identity>] });
    expect(() => make({ ...identity(), identityNetScale: 10.5 })).toThrow(/identityNetScale/);
    const { identityNetScale: _, ...unnamed } = identity();
    expect(() => make({ ...unnamed, scale: 0.5 })).toThrow(/scale: renamed: give the strength as identityNetScale/);
  });

  it("returns IdentityNet's residuals times the conditioning scale", async () => {
    const hook = createIdentityNetHook({ model, identities: [identity(0.8)] });
    await hook.prepare!({ rows: ["cond"], width: 128, height: 128, steps: 1 });
    const out = (await hook.beforeStep!(positive()))!.residuals!;
    [...out.down, out.mid].forEach((t, i) => {
      const expected = c.get(`identitynet_residual_${i}`)!.data.map((v) => v * 0.8);
      assertClose(t.data, expected, { abs: 2e-5, rel: 1e-4 }, `residual ${i}`);
    });
  });

  it("moves each residual byte through JavaScript once per step for one face", async () => {
    const hook = createIdentityNetHook({ model, identities: [identity(0.8)] });
    await hook.prepare!({ rows: ["cond"], width: 128, height: 128, steps: 1 });
    await hook.beforeStep!(positive());
    expect(hook.lastStep.runs).toBe(1);
    expect(hook.lastStep.bytesMoved).toBe(hook.lastStep.residualBytes);
    expect(hook.lastStep.residualBytes).toBe((2 * 32 * 16 * 16 + 32 * 8 * 8 + 2 * 64 * 8 * 8) * 4);
  });

  it("contributes nothing and runs nothing outside control_guidance_start/end", async () => {
    const hook = createIdentityNetHook({ model, identities: [identity()], start: 0.2, end: 0.7 });
    await hook.prepare!({ rows: ["cond"], width: 128, height: 128, steps: 10 });
    expect(await hook.beforeStep!(positive(1, 10))).toBeUndefined();
    expect(hook.lastStep.runs).toBe(0);
    expect(await hook.beforeStep!(positive(2, 10))).toBeDefined();
    expect(await hook.beforeStep!(positive(7, 10))).toBeUndefined();
  });

  it("gives the unconditional row Resampler(0) tokens and the conditional row the face tokens", async () => {
    const both: StepContext = {
      ...positive(),
      sample: { shape: [2, 4, 16, 16], data: new Float32Array([...c.get("sample")!.data, ...c.get("sample")!.data]) },
      promptEmbeds: c.get("prompt_embeds")!,
      textEmbeds: c.get("text_embeds")!,
      timeIds: c.get("time_ids")!,
    };
    const hook = createIdentityNetHook({ model, identities: [identity(1)] });
    await hook.prepare!({ rows: ["uncond", "cond"], width: 128, height: 128, steps: 1 });
    const out = (await hook.beforeStep!(both))!.residuals!;
    const negative = {
      ...positive(),
      promptEmbeds: row(c.get("prompt_embeds")!, 0),
      textEmbeds: row(c.get("text_embeds")!, 0),
      timeIds: row(c.get("time_ids")!, 0),
    };
    const uncond = await rawRun(c.get("uncond_face_tokens")!, c.get("kps_image")!, negative);
    assertClose(row(out.mid, 0).data, uncond.mid.data, tight, "uncond row");
    assertClose(row(out.mid, 1).data, c.get("identitynet_residual_4")!.data, { abs: 2e-5, rel: 1e-4 }, "cond row");
  });

  it("sums faces, each times its scale and its mask resized bilinearly to the residual", async () => {
    const hook = createIdentityNetHook({
      model,
      identities: [
        { ...identity(0.8), mask: c.get("mask_a")! },
        {
          faceTokens: c.get("face_tokens_b")!,
          uncondFaceTokens: c.get("uncond_face_tokens")!,
          keypointImage: c.get("kps_image_b")!,
          identityNetScale: 0.7,
          mask: c.get("mask_b")!,
        },
      ],
    });
    await hook.prepare!({ rows: ["cond"], width: 128, height: 128, steps: 1 });
    const out = (await hook.beforeStep!(positive()))!.residuals!;
    const a = await rawRun(c.get("face_tokens")!, c.get("kps_image")!);
    const b = await rawRun(c.get("face_tokens_b")!, c.get("kps_image_b")!);
    [...out.down, out.mid].forEach((t, i) => {
      const ra = [...a.down, a.mid][i];
      const rb = [...b.down, b.mid][i];
      const [h, w] = t.shape.slice(-2);
      const ma = resizeMaskBilinear(c.get("mask_a")!, h, w);
      const mb = resizeMaskBilinear(c.get("mask_b")!, h, w);
      const expected = ra.data.map((v, k) => 0.8 * ma[k % (h * w)] * v + 0.7 * mb[k % (h * w)] * rb.data[k]);
      assertClose(t.data, expected, tight, `residual ${i}`);
    });
    expect(hook.lastStep.bytesMoved).toBe(2 * hook.lastStep.residualBytes);
  });

  it("adds an extra ControlNet's residuals, with its own scale, to IdentityNet's", async () => {
    const identityNet = createIdentityNetHook({ model, identities: [identity(0.8)] });
    // The tiny IdentityNet stands in for a pose ControlNet: it reads the step's 16-token "prompt".
    const pose = createControlNetHook({ model, name: "pose", image: c.get("kps_image_b")!, scale: 0.5 });
    const hooks = composeHooks(identityNet, pose);
    await hooks.prepare({ rows: ["cond"], width: 128, height: 128, steps: 1 });
    const step = { ...positive(), promptEmbeds: c.get("face_tokens_b")! };
    const out = (await hooks.beforeStep(step)).residuals!;
    const a = await rawRun(c.get("face_tokens")!, c.get("kps_image")!);
    const p = await rawRun(c.get("face_tokens_b")!, c.get("kps_image_b")!);
    assertClose(
      out.mid.data,
      a.mid.data.map((v, k) => 0.8 * v + 0.5 * p.mid.data[k]),
      tight,
      "mid",
    );
  });

  it("validates its options at the boundary", () => {
    expect(() => createIdentityNetHook({ model, identities: [] })).toThrow(/Invalid IdentityNet hook options: identities/);
    expect(() => createIdentityNetHook({ model, identities: [identity()], start: 0.8, end: 0.2 })).toThrow(
      /end: start must not exceed end/,
    );
  });

  it("refuses a keypoint image that is not 8x the latent, saying what size to draw", async () => {
    const small = { shape: [1, 3, 64, 64], data: new Float32Array(3 * 64 * 64) };
    const hook = createIdentityNetHook({ model, identities: [{ ...identity(), keypointImage: small }] });
    hook.prepare({ rows: ["cond"], width: 128, height: 128, steps: 1 });
    await expect(hook.beforeStep(positive())).rejects.toThrow(
      /conditioning image is 64x64 but the latent is 16x16; draw it at the generation size \(128x128/,
    );
  });

  it("refuses a mask with several channels when the hook is created", () => {
    const mask = { shape: [1, 3, 8, 8], data: new Float32Array(192) };
    expect(() => createIdentityNetHook({ model, identities: [{ ...identity(), mask }] })).toThrow(/region mask must be/);
  });

  it("asks the runner to call prepare first", async () => {
    const hook = createIdentityNetHook({ model, identities: [identity()] });
    await expect(hook.beforeStep!(positive())).rejects.toThrow(/before prepare\(\); runners must call prepare once per generation/);
  });
});
