import { beforeAll, expect, it } from "vitest";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { createImageAdapterHook } from "../../../core/instantid/image-adapter-hook.js";
import { loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { createIdentityNetHook } from "../../../core/instantid/identitynet-hook.js";
import type { UnetModel } from "../../../core/unet/unet-model.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { generate } from "../../../adapters/onnx-sdxl/generate.js";
import { createInstantIdHook } from "../../../adapters/onnx-sdxl/instantid-hook.js";
import { predictNoise } from "../../../adapters/onnx-sdxl/predict-noise.js";
import { openUnet } from "../../../adapters/onnx-sdxl/unet.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { goldenUnetCases, row } from "./golden-unet.js";

const tolerance = { abs: 2e-4, rel: 1e-3 };

describeShared("the runner's guided step with the real InstantID hooks", "golden/unet", () => {
  let unet: UnetModel;
  let patchedPath: string;
  let c: Map<string, Tensor>;
  beforeAll(async () => {
    c = await goldenUnetCases();
    const adapter = await loadImageAdapter(sharedPath("golden/unet/ip-adapter.bin"));
    const patched = await patchImageAdapter(sharedPath("golden/unet/unet.onnx"), adapter, { outDir: await tempDir() });
    patchedPath = patched.modelPath!;
    unet = await openUnet(patchedPath);
  });

  it("reproduces step_noise_uncond, step_noise_cond and step_noise_cfg5 (IdentityNet × 0.8, adapter 0.8, guidance 5)", async () => {
    const face = {
      faceTokens: c.get("face_tokens")!,
      uncondFaceTokens: c.get("uncond_face_tokens")!,
      adapterScale: 0.8,
      identityNetScale: 0.8,
    };
    const hooks = [
      createIdentityNetHook({
        model: await loadControlNet(sharedPath("golden/unet/identitynet.onnx")),
        identities: [{ ...face, keypointImage: c.get("kps_image")! }],
      }),
      createImageAdapterHook({ identities: [face] }),
    ];
    const noise = await predictNoise(unet, hooks, {
      sample: c.get("sample")!,
      timestep: c.get("timestep")!.data[0],
      promptEmbeds: c.get("prompt_embeds")!,
      textEmbeds: c.get("text_embeds")!,
      timeIds: c.get("time_ids")!,
      guidance: 5,
    });
    assertClose(noise.uncond.data, c.get("step_noise_uncond")!.data, tolerance, "step_noise_uncond");
    assertClose(noise.cond.data, c.get("step_noise_cond")!.data, tolerance, "step_noise_cond");
    assertClose(noise.guided.data, c.get("step_noise_cfg5")!.data, tolerance, "step_noise_cfg5");
  });

  it("refuses the Image Adapter hook on the unpatched UNet instead of silently dropping the image attention", async () => {
    const plain = await openUnet(sharedPath("golden/unet/unet.onnx"));
    const hook = createImageAdapterHook({
      identities: [{ faceTokens: c.get("face_tokens")!, uncondFaceTokens: c.get("uncond_face_tokens")! }],
    });
    const input = {
      sample: c.get("sample")!,
      timestep: 1,
      promptEmbeds: c.get("prompt_embeds")!,
      textEmbeds: c.get("text_embeds")!,
      timeIds: c.get("time_ids")!,
      guidance: 5,
    };
    await expect(predictNoise(plain, [hook], input)).rejects.toThrow(/patchImageAdapter/);
  });

  it("generate({ instantId }) builds the hook itself and takes the output size from the keypoint image", async () => {
    const instantId = {
      identityNet: sharedPath("golden/unet/identitynet.onnx"),
      faces: [{ faceTokens: c.get("face_tokens")!, uncondFaceTokens: c.get("uncond_face_tokens")!, keypointImage: c.get("kps_image")! }],
    };
    const base = {
      models: { unet: patchedPath },
      prompt: { embeds: row(c.get("prompt_embeds")!, 1), pooled: row(c.get("text_embeds")!, 1) },
      steps: 2,
      seed: 11,
    };
    const viaOption = await generate({ ...base, instantId });
    const viaHook = await generate({ ...base, width: 128, height: 128 }, { hooks: [await createInstantIdHook(instantId)] });
    expect([viaOption.width, viaOption.height]).toEqual([128, 128]);
    expect(viaOption.latent.data).toEqual(viaHook.latent.data);
  });
});
