import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Resampler } from "../../../core/image-adapter/resampler.js";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { createComposition } from "../../../core/compose/compose.js";
import { compositionPatchOptions, toLocalHooks } from "../../../core/compose/local-hooks.js";
import type { StepContext } from "../../../core/hooks/types.js";
import { createIdentity } from "../../../core/identity/identity.js";
import { loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { loadUnet, runUnet } from "../../../core/unet/unet-model.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);

describe("compositionPatchOptions", () => {
  it("asks for masks unless a single identity covers the whole canvas", () => {
    const one = createComposition({ width: 64, height: 64, prompt: "", identities: [{ identity: person(1) }] });
    expect(compositionPatchOptions(one)).toEqual({ identities: 1, masks: false });
    const rect = createComposition({
      width: 64,
      height: 64,
      prompt: "",
      identities: [{ identity: person(1), region: { rect: [0, 0, 32, 64] } }],
    });
    expect(compositionPatchOptions(rect)).toEqual({ identities: 1, masks: true });
  });
});

describe("toLocalHooks without tokens", () => {
  it("refuses neither a Resampler nor tokens, and a token count that is not one per identity", async () => {
    const c = createComposition({ width: 64, height: 64, prompt: "", identities: [{ identity: person(1) }] });
    const identityNet = {} as never;
    await expect(toLocalHooks(c, { identityNet })).rejects.toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringMatching(/received neither/) }),
    );
    await expect(toLocalHooks(c, { identityNet, tokens: [] })).rejects.toThrow(
      /one set of image tokens per identity \(1\) but received 0 sets/,
    );
  });
});

describeShared("toLocalHooks on the golden two-identity step", "golden/unet", () => {
  const dir = sharedPath("golden", "unet");
  let cases: Map<string, Tensor>;
  let patchDir: string;
  beforeAll(async () => {
    const file = await SafetensorsFile.open(join(dir, "cases.safetensors"));
    cases = new Map();
    for (const name of file.names()) cases.set(name, await file.tensor(name));
    await file.close();
    patchDir = await mkdtemp(join(tmpdir(), "instantid-compose-"));
  });
  afterAll(() => rm(patchDir, { recursive: true, force: true }));

  it("reproduces multi_noise_uncond/cond/cfg5 within abs 2e-4 + rel 1e-3 (per-identity keypoint images, masks, scales)", async () => {
    const identity = (name: string) => createIdentity([{ embedding: cases.get(name)!.data }]);
    const composition = createComposition({
      width: 128,
      height: 128,
      prompt: "",
      identities: [
        {
          identity: identity("face_embedding"),
          keypoints: { image: cases.get("kps_image")! },
          region: { mask: cases.get("mask_a")! },
          adapterScale: 0.8,
          identityNetScale: 0.8,
        },
        {
          identity: identity("face_embedding_b"),
          keypoints: { image: cases.get("kps_image_b")! },
          region: { mask: cases.get("mask_b")! },
          adapterScale: 0.6,
          identityNetScale: 0.7,
        },
      ],
      overlap: "reject",
    });
    const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
    const about = JSON.parse(await readFile(join(dir, "cases.json"), "utf8")) as { resampler_config: { heads: number } };
    const resampler = Resampler.fromWeights(adapter.imageProj, { heads: about.resampler_config.heads });
    const patched = await patchImageAdapter(join(dir, "unet.onnx"), adapter, { ...compositionPatchOptions(composition), outDir: patchDir });
    const unet = await loadUnet(patched.modelPath!);
    const local = await toLocalHooks(composition, {
      identityNet: await loadControlNet(join(dir, "identitynet.onnx")),
      resampler,
      unet: unet.residualInputs,
      imageAdapterInputs: patched.inputs,
    });
    assertClose(local.tokens[0].cond.data, cases.get("face_tokens")!.data, { abs: 1e-4, rel: 1e-3 }, "identity A tokens");
    assertClose(local.tokens[1].uncond.data, cases.get("uncond_face_tokens")!.data, { abs: 1e-4, rel: 1e-3 }, "Resampler(0) tokens");

    const sample = cases.get("sample")!;
    const both = new Float32Array(2 * sample.data.length);
    both.set(sample.data);
    both.set(sample.data, sample.data.length);
    const step: StepContext = {
      index: 0,
      total: 1,
      sample: { shape: [2, ...sample.shape.slice(1)], data: both },
      timestep: cases.get("timestep")!,
      promptEmbeds: cases.get("prompt_embeds")!,
      textEmbeds: cases.get("text_embeds")!,
      timeIds: cases.get("time_ids")!,
    };
    await local.hooks.prepare({ rows: ["uncond", "cond"], width: 128, height: 128, steps: 1 });
    const noise = await runUnet(unet, step, await local.hooks.beforeStep(step));
    local.hooks.reset();
    expect(local.identityNet.lastStep.runs).toBe(2);
    const half = noise.data.length / 2;
    const [uncond, cond] = [noise.data.subarray(0, half), noise.data.subarray(half)];
    const tolerance = { abs: 2e-4, rel: 1e-3 };
    assertClose(uncond, cases.get("multi_noise_uncond")!.data, tolerance, "multi_noise_uncond");
    assertClose(cond, cases.get("multi_noise_cond")!.data, tolerance, "multi_noise_cond");
    assertClose(
      uncond.map((u, k) => u + 5 * (cond[k] - u)),
      cases.get("multi_noise_cfg5")!.data,
      tolerance,
      "multi_noise_cfg5",
    );
  });
});
