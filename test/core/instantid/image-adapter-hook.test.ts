import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { runUnet, loadUnet } from "../../../core/unet/unet-model.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { createImageAdapterHook } from "../../../core/instantid/image-adapter-hook.js";
import type { StepContext } from "../../../core/hooks/types.js";
import { tensor } from "../../../core/tensor/tensor.js";

const cond = tensor([1, 2, 3], [1, 1, 1, 1, 1, 1]);
const uncond = tensor([1, 2, 3], [0, 0, 0, 0, 0, 0]);
const step: StepContext = {
  index: 0,
  total: 1,
  sample: tensor([2, 4, 1, 1]),
  timestep: tensor([1], [1]),
  promptEmbeds: tensor([2, 1, 3], [7, 7, 7, 8, 8, 8]),
  textEmbeds: tensor([2, 2]),
  timeIds: tensor([2, 6]),
};
const rows = { rows: ["uncond", "cond"] as const, width: 8, height: 8, steps: 1 };

describe("createImageAdapterHook", () => {
  it("takes the strength as adapterScale within the SDK's bounds [0, 10], and refuses the old name scale", () => {
    const face = { faceTokens: cond, uncondFaceTokens: uncond };
    expect(() => createImageAdapterHook({ identities: [{ ...face, adapterScale: 11 }] })).toThrow(/adapterScale: .*10/);
    expect(() => createImageAdapterHook({ identities: [{ ...face, adapterScale: -0.1 }] })).toThrow(/adapterScale/);
    expect(() => createImageAdapterHook({ identities: [{ ...face, scale: 0.5 } as never] })).toThrow(
      /scale: renamed: give the strength as adapterScale/,
    );
  });

  it("feeds ip_tokens_0 with the unconditional row's tokens first, and ip_scale_0", async () => {
    const hook = createImageAdapterHook({ identities: [{ faceTokens: cond, uncondFaceTokens: uncond, adapterScale: 0.7 }] });
    await hook.prepare!(rows);
    const { inputs } = (await hook.beforeStep!(step))!;
    expect(Object.keys(inputs!).sort()).toEqual(["ip_scale_0", "ip_tokens_0"]);
    expect(inputs!.ip_tokens_0.shape).toEqual([2, 2, 3]);
    expect([...inputs!.ip_tokens_0.data]).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect([...inputs!.ip_scale_0.data]).toEqual([Math.fround(0.7)]);
  });

  it("feeds one tokens, scale and mask input per identity, whole-picture masks where none is given", async () => {
    const mask = tensor([1, 1, 2, 2], [1, 0, 1, 0]);
    const hook = createImageAdapterHook({
      identities: [
        { faceTokens: cond, uncondFaceTokens: uncond, mask },
        { faceTokens: cond, uncondFaceTokens: uncond, adapterScale: 0.6 },
      ],
    });
    await hook.prepare!(rows);
    const { inputs } = (await hook.beforeStep!(step))!;
    expect(Object.keys(inputs!).sort()).toEqual(["ip_mask_0", "ip_mask_1", "ip_scale_0", "ip_scale_1", "ip_tokens_0", "ip_tokens_1"]);
    expect(inputs!.ip_mask_0.data).toBe(mask.data);
    expect(inputs!.ip_mask_0.shape).toEqual([1, 1, 2, 2]);
    expect([...inputs!.ip_mask_1.data]).toEqual([1]);
    expect([...inputs!.ip_scale_0.data]).toEqual([Math.fround(0.8)]);
  });

  it("appends the tokens to each row of the prompt embeddings in context mode, once per prompt", async () => {
    const hook = createImageAdapterHook({ identities: [{ faceTokens: cond, uncondFaceTokens: uncond }], tokensIn: "context" });
    await hook.prepare!(rows);
    const first = (await hook.beforeStep!(step))!.inputs!;
    expect(Object.keys(first).sort()).toEqual(["encoder_hidden_states", "ip_scale_0"]);
    expect(first.encoder_hidden_states.shape).toEqual([2, 3, 3]);
    expect([...first.encoder_hidden_states.data]).toEqual([7, 7, 7, 0, 0, 0, 0, 0, 0, 8, 8, 8, 1, 1, 1, 1, 1, 1]);
    expect((await hook.beforeStep!({ ...step, index: 1 }))!.inputs!.encoder_hidden_states).toBe(first.encoder_hidden_states);
  });

  it("refuses input names that do not match the number of identities and says how to patch", () => {
    expect(() =>
      createImageAdapterHook({
        identities: [
          { faceTokens: cond, uncondFaceTokens: uncond },
          { faceTokens: cond, uncondFaceTokens: uncond },
        ],
        inputNames: { tokens: ["ip_tokens_0"], scales: ["ip_scale_0"], masks: [] },
      }),
    ).toThrow(/has 2 identities but the patched UNet has 1 scale inputs; patch the UNet with identities: 2/);
  });
});

describeShared("createImageAdapterHook on a patched UNet", "golden/unet", () => {
  for (const tokensIn of ["inputs", "context"] as const) {
    it(`reproduces out_ip_scale0.7 with the tokens fed as ${tokensIn}`, async () => {
      const dir = sharedPath("golden", "unet");
      const file = await SafetensorsFile.open(join(dir, "cases.safetensors"));
      const get = (name: string) => file.tensor(name);
      const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
      const patched = await patchImageAdapter(join(dir, "unet.onnx"), adapter, { tokens: tokensIn, outDir: await tempDir() });
      const unet = await loadUnet(patched.modelPath!);
      const hook = createImageAdapterHook({
        identities: [{ faceTokens: await get("face_tokens"), uncondFaceTokens: await get("uncond_face_tokens"), adapterScale: 0.7 }],
        tokensIn,
        inputNames: patched.inputs,
      });
      const positive = async (name: string) => {
        const t = await get(name);
        const size = t.data.length / 2;
        return { shape: [1, ...t.shape.slice(1)], data: t.data.slice(size) };
      };
      const one: StepContext = {
        index: 0,
        total: 1,
        sample: await get("sample"),
        timestep: await get("timestep"),
        promptEmbeds: await positive("prompt_embeds"),
        textEmbeds: await positive("text_embeds"),
        timeIds: await positive("time_ids"),
      };
      await hook.prepare!({ rows: ["cond"], width: 128, height: 128, steps: 1 });
      const out = await runUnet(unet, one, await hook.beforeStep!(one));
      assertClose(out.data, (await get("out_ip_scale0.7")).data, { abs: 2e-4, rel: 1e-3 }, "out_ip_scale0.7");
      await file.close();
    });
  }
});
