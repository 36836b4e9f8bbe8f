import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Resampler } from "../../../core/image-adapter/resampler.js";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { createComposition } from "../../../core/compose/compose.js";
import { createCompositionHooks } from "../../../core/compose/hook-factory.js";
import { compositionPatchOptions, compositionTokens, toLocalHooks } from "../../../core/compose/local-hooks.js";
import type { StepContext } from "../../../core/hooks/types.js";
import { createIdentity } from "../../../core/identity/identity.js";
import { loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { loadUnet, runUnet } from "../../../core/unet/unet-model.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

describeShared("createCompositionHooks", "golden/unet", () => {
  it("builds, from plain data sent through a structured clone (as to a worker), hooks that give the same step as toLocalHooks", async () => {
    const dir = sharedPath("golden", "unet");
    const file = await SafetensorsFile.open(join(dir, "cases.safetensors"));
    const cases = new Map<string, Tensor>();
    for (const name of file.names()) cases.set(name, await file.tensor(name));
    await file.close();
    const patchDir = await mkdtemp(join(tmpdir(), "instantid-compose-factory-"));
    try {
      const composition = createComposition({
        width: 128,
        height: 128,
        prompt: "",
        identities: [
          {
            identity: createIdentity([{ embedding: cases.get("face_embedding")!.data }]),
            keypoints: { image: cases.get("kps_image")! },
            region: { rect: [0, 0, 64, 128] },
          },
          {
            identity: createIdentity([{ embedding: cases.get("face_embedding_b")!.data }]),
            keypoints: { image: cases.get("kps_image_b")! },
            region: { rect: [64, 0, 128, 128] },
            end: 0.5,
          },
        ],
      });
      const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
      const resampler = Resampler.fromWeights(adapter.imageProj, { heads: 3 });
      const patched = await patchImageAdapter(join(dir, "unet.onnx"), adapter, {
        ...compositionPatchOptions(composition),
        outDir: patchDir,
      });
      const unet = await loadUnet(patched.modelPath!);
      const step: StepContext = {
        index: 0,
        total: 2,
        sample: cases.get("sample")!,
        timestep: cases.get("timestep")!,
        promptEmbeds: { shape: [1, 77, 64], data: cases.get("prompt_embeds")!.data.slice(77 * 64) },
        textEmbeds: { shape: [1, 32], data: cases.get("text_embeds")!.data.slice(32) },
        timeIds: { shape: [1, 6], data: cases.get("time_ids")!.data.slice(6) },
      };
      const noiseWith = async (hooks: Awaited<ReturnType<typeof createCompositionHooks>>) => {
        await hooks.prepare({ rows: ["cond"], width: 128, height: 128, steps: 2 });
        const noise = await runUnet(unet, step, await hooks.beforeStep(step));
        hooks.reset();
        return noise;
      };
      const direct = await toLocalHooks(composition, {
        identityNet: await loadControlNet(join(dir, "identitynet.onnx")),
        resampler,
        imageAdapterInputs: patched.inputs,
      });
      const options = structuredClone({
        composition,
        identityNet: join(dir, "identitynet.onnx"),
        tokens: await compositionTokens(composition, resampler),
        imageAdapterInputs: patched.inputs,
      });
      const [expected, actual] = [await noiseWith(direct.hooks), await noiseWith(await createCompositionHooks(options))];
      expect(actual.shape).toEqual([1, 4, 16, 16]);
      assertClose(actual.data, expected.data, { abs: 1e-6, rel: 0 }, "hooks rebuilt from plain data");
    } finally {
      await rm(patchDir, { recursive: true, force: true });
    }
  });
});
