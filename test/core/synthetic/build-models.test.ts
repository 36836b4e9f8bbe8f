import { beforeAll, describe, expect, it } from "vitest";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { readModel } from "../../../core/onnx/model.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor } from "../../../core/runtime/session.js";
import { buildSyntheticModels, type SyntheticModels } from "../../../core/synthetic/build-models.js";
import { RANDOM_WEIGHTS_NOTICE } from "../../../core/synthetic/random-notice.js";
import { TINY_UNET, type SyntheticUnetConfig } from "../../../core/synthetic/unet-config.js";
import { tensor, type Tensor } from "../../../core/tensor/tensor.js";
import { tempDir } from "../../helpers/shared.js";

const config: SyntheticUnetConfig = { ...TINY_UNET, latentSize: { height: 8, width: 8 } };
const residualShapes = [
  [32, 8],
  [32, 8],
  [32, 8],
  [32, 4],
  [64, 4],
  [64, 4],
  [64, 2],
  [128, 2],
  [128, 2],
];

function filled(shape: number[], seed: number): Tensor {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(seed + i * 0.37);
  return t;
}

function unetFeeds(batch: number) {
  return {
    sample: filled([batch, 4, 8, 8], 1),
    timestep: tensor([1], [500]),
    encoder_hidden_states: filled([batch, 77, 64], 2),
    text_embeds: filled([batch, 32], 3),
    time_ids: tensor([batch, 6], Array.from({ length: batch }, () => [64, 64, 0, 0, 64, 64]).flat()),
  };
}

const toOrt = (feeds: Record<string, Tensor>) => Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrtTensor(v)]));

describe("buildSyntheticModels", () => {
  let models: SyntheticModels;
  beforeAll(async () => {
    models = await buildSyntheticModels(await tempDir(), { unet: config });
  });

  it("labels every model as random weights in its doc string and metadata", async () => {
    for (const path of [models.unet, models.identityNet, models.vaeDecoder]) {
      const model = (await readModel(path)) as Awaited<ReturnType<typeof readModel>> & { docString?: string };
      expect(model.docString).toContain(RANDOM_WEIGHTS_NOTICE);
      expect(model.metadataProps).toContainEqual({ key: "instantid.synthetic", value: "random-weights" });
    }
  });

  it("reuses a complete set built with the same config", async () => {
    const again = await buildSyntheticModels(models.dir.replace(/\/synthetic-[^/]+$/, ""), { unet: config });
    expect(again.cached).toBe(true);
    expect(again.unet).toBe(models.unet);
  });

  it("UNet takes the golden UNet's input names, nine down residuals and the mid one, and predicts a finite sample", async () => {
    const session = await loadSession(models.unet, { what: "synthetic UNet" });
    expect(session.inputNames).toEqual([
      "sample",
      "timestep",
      "encoder_hidden_states",
      "text_embeds",
      "time_ids",
      ...residualShapes.map((_, i) => `down_block_additional_residual_${i}`),
      "mid_block_additional_residual",
    ]);
    expect(session.outputNames).toEqual(["out_sample"]);
    const feeds: Record<string, Tensor> = unetFeeds(2);
    residualShapes.forEach(([c, s], i) => (feeds[`down_block_additional_residual_${i}`] = tensor([2, c, s, s])));
    feeds.mid_block_additional_residual = tensor([2, 128, 2, 2]);
    const out = fromOrtTensor((await runSession(session, toOrt(feeds), "UNet")).out_sample, "out_sample");
    expect(out.shape).toEqual([2, 4, 8, 8]);
    expect(out.data.every(Number.isFinite)).toBe(true);
    expect(Math.max(...out.data.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it("IdentityNet returns residuals shaped like the UNet's residual inputs", async () => {
    const session = await loadSession(models.identityNet, { what: "synthetic IdentityNet" });
    expect(session.inputNames).toEqual(["sample", "timestep", "encoder_hidden_states", "controlnet_cond", "text_embeds", "time_ids"]);
    const feeds = { ...unetFeeds(1), encoder_hidden_states: filled([1, 16, 64], 4), controlnet_cond: filled([1, 3, 64, 64], 5) };
    const outputs = await runSession(session, toOrt(feeds), "IdentityNet");
    expect(session.outputNames).toEqual([...residualShapes.map((_, i) => `down_block_res_sample_${i}`), "mid_block_res_sample"]);
    residualShapes.forEach(([c, s], i) => expect(outputs[`down_block_res_sample_${i}`].dims).toEqual([1, c, s, s]));
    expect(outputs.mid_block_res_sample.dims).toEqual([1, 128, 2, 2]);
  });

  it("VAE decoder maps a latent to an image 8× larger", async () => {
    const session = await loadSession(models.vaeDecoder, { what: "synthetic VAE decoder" });
    expect([session.inputNames, session.outputNames]).toEqual([["latent_sample"], ["sample"]]);
    const out = await runSession(session, toOrt({ latent_sample: filled([1, 4, 8, 8], 6) }), "VAE");
    expect(out.sample.dims).toEqual([1, 3, 64, 64]);
  });

  it("Image Adapter has a Resampler and one to_k_ip/to_v_ip pair per cross-attention layer, keyed in diffusers order", async () => {
    const adapter = await loadImageAdapter(models.imageAdapter);
    // down_blocks.1 (2 × 64), down_blocks.2 (2 × 128), up_blocks.0 (3 × 128), up_blocks.1 (3 × 64), mid (1 × 128)
    const widths = [64, 64, 128, 128, 128, 128, 128, 64, 64, 64, 128];
    expect([...adapter.ipLayers.keys()]).toEqual(widths.map((_, i) => 2 * i + 1));
    expect([...adapter.ipLayers.values()].map((l) => l.toK.shape)).toEqual(widths.map((w) => [w, 64]));
    expect(adapter.imageProj.get("latents")?.shape).toEqual([1, 16, 64]);
  });

  it("patchImageAdapter finds and patches every attn2 block of the UNet by its module name, and the patched UNet runs", async () => {
    const adapter = await loadImageAdapter(models.imageAdapter);
    const patched = await patchImageAdapter(models.unet, adapter);
    expect(patched.blocks.map((b) => b.key)).toEqual([...adapter.ipLayers.keys()]);
    expect(patched.blocks.map((b) => b.module)).toEqual([
      "down_blocks.1.attentions.0.transformer_blocks.0.attn2",
      "down_blocks.1.attentions.1.transformer_blocks.0.attn2",
      "down_blocks.2.attentions.0.transformer_blocks.0.attn2",
      "down_blocks.2.attentions.1.transformer_blocks.0.attn2",
      "up_blocks.0.attentions.0.transformer_blocks.0.attn2",
      "up_blocks.0.attentions.1.transformer_blocks.0.attn2",
      "up_blocks.0.attentions.2.transformer_blocks.0.attn2",
      "up_blocks.1.attentions.0.transformer_blocks.0.attn2",
      "up_blocks.1.attentions.1.transformer_blocks.0.attn2",
      "up_blocks.1.attentions.2.transformer_blocks.0.attn2",
      "mid_block.attentions.0.transformer_blocks.0.attn2",
    ]);
    const session = await loadSession(patched.modelPath!, { what: "patched synthetic UNet" });
    expect(session.inputNames).toEqual(expect.arrayContaining([patched.inputs.tokens[0], patched.inputs.scales[0]]));
  });
});

describe("buildSyntheticModels with external data", () => {
  it("keeps the weights in <model>.data side files that ONNX Runtime and patchImageAdapter read in place", async () => {
    const models = await buildSyntheticModels(await tempDir(), { unet: config, externalData: true });
    const { existsSync, statSync } = await import("node:fs");
    expect(existsSync(`${models.unet}.data`)).toBe(true);
    expect(statSync(models.unet).size).toBeLessThan(statSync(`${models.unet}.data`).size);
    const patched = await patchImageAdapter(models.unet, await loadImageAdapter(models.imageAdapter));
    const session = await loadSession(patched.modelPath!, { what: "patched synthetic UNet with external data" });
    expect(session.outputNames).toEqual(["out_sample"]);
  });
});
