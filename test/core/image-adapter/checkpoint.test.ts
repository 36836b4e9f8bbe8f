import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { writeTorchSave } from "../../../core/checkpoint/torch-save.js";
import { InstantIdError } from "../../../core/errors.js";
import { writeSafetensors } from "../../../core/tensor/safetensors.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

const small = () => ({
  image_proj: { latents: tensor([1, 2, 4]), "proj_in.weight": tensor([4, 3]) },
  ip_adapter: {
    "3.to_k_ip.weight": tensor([2, 5], new Float32Array(10).fill(3)),
    "3.to_v_ip.weight": tensor([2, 5]),
    "1.to_k_ip.weight": tensor([2, 5]),
    "1.to_v_ip.weight": tensor([2, 5], new Float32Array(10).fill(1)),
  },
});

describe("loadImageAdapter", () => {
  it("splits a torch checkpoint into Resampler weights and per-key K/V projections in key order", async () => {
    const path = join(await tempDir(), "ip.bin");
    await writeTorchSave(path, small());
    const weights = await loadImageAdapter(path);
    expect([...weights.imageProj.keys()]).toEqual(["latents", "proj_in.weight"]);
    expect([...weights.ipLayers.keys()]).toEqual([1, 3]);
    expect(weights.ipLayers.get(3)!.toK.data[0]).toBe(3);
    expect(weights.ipLayers.get(1)!.toV.data[0]).toBe(1);
  });

  it("reads the same layout from safetensors with prefixed names", async () => {
    const path = join(await tempDir(), "ip.safetensors");
    const flat = {
      "image_proj.latents": tensor([1, 2, 4]),
      "ip_adapter.1.to_k_ip.weight": tensor([2, 5]),
      "ip_adapter.1.to_v_ip.weight": tensor([2, 5]),
    };
    await writeSafetensors(path, flat);
    const weights = await loadImageAdapter(path);
    expect([...weights.ipLayers.keys()]).toEqual([1]);
    expect(weights.imageProj.get("latents")!.shape).toEqual([1, 2, 4]);
  });

  it("says which projection a layer lacks", async () => {
    const path = join(await tempDir(), "ip.bin");
    const state = small();
    delete (state.ip_adapter as Record<string, unknown>)["3.to_v_ip.weight"];
    await writeTorchSave(path, state);
    await expect(loadImageAdapter(path)).rejects.toThrow(/layer 3 lacks its to_v_ip weight/);
  });

  it("refuses a checkpoint without a Resampler as MODEL_INVALID", async () => {
    const path = join(await tempDir(), "other.bin");
    await writeTorchSave(path, { "conv.weight": tensor([1]) });
    const error = await loadImageAdapter(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstantIdError);
    expect((error as InstantIdError).code).toBe("MODEL_INVALID");
  });
});

describeShared("loadImageAdapter on the reference checkpoints", "golden/adapter", () => {
  it("loads ip-adapter.bin and ip-adapter.safetensors to identical weights", async () => {
    const fromTorch = await loadImageAdapter(sharedPath("golden", "adapter", "ip-adapter.bin"));
    const fromSafetensors = await loadImageAdapter(sharedPath("golden", "adapter", "ip-adapter.safetensors"));
    expect([...fromTorch.ipLayers.keys()]).toEqual([1, 3, 5, 7, 9]);
    const same = (a: { data: Float32Array }, b: { data: Float32Array }) => Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer));
    expect([...fromTorch.imageProj.keys()]).toEqual([...fromSafetensors.imageProj.keys()]);
    for (const [name, t] of fromTorch.imageProj) expect(same(t, fromSafetensors.imageProj.get(name)!), name).toBe(true);
    for (const [key, layer] of fromTorch.ipLayers) {
      expect(
        same(layer.toK, fromSafetensors.ipLayers.get(key)!.toK) && same(layer.toV, fromSafetensors.ipLayers.get(key)!.toV),
        `layer ${key}`,
      ).toBe(true);
    }
  });
});
