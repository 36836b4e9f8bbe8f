import type { OnnxModel } from "../onnx/model.js";
import { conv, layerContext, silu, type GraphWeightsOptions } from "../graph-builder/layers.js";
import { randomModelNotice } from "./random-notice.js";
import { upsample } from "../graph-builder/unet-blocks.js";
import { spatialDims } from "./unet.js";
import type { SyntheticUnetConfig } from "./unet-config.js";

/**
 * A tiny VAE decoder with seeded random weights: latent [B, 4, h, w] → RGB [B, 3, 8h, 8w] through three
 * nearest-×2 upsampling convs; I/O named as diffusers' ONNX exports (`latent_sample` → `sample`).
 */
export function buildSyntheticVaeDecoder(config: SyntheticUnetConfig, width = 32, weights: GraphWeightsOptions = {}): OnnxModel {
  const ctx = layerContext(config.seed + 2000, config.groups, weights);
  const { graph } = ctx;
  const latent = graph.input("latent_sample", ["batch", 4, ...spatialDims(config, 1)]);
  let h = conv(ctx, "decoder.conv_in", latent, 4, width);
  for (let i = 0; i < 3; i++) h = silu(ctx, `decoder.up_blocks.${i}`, upsample(ctx, `decoder.up_blocks.${i}.upsamplers.0`, h, width));
  // Latents arrive divided by the VAE factor (×7.7); a small output gain keeps most pixels off the clip.
  const rgb = conv(ctx, "decoder.conv_out", h, width, 3, 3, 1, 0.05);
  graph.nodes.push({ input: [rgb], output: ["sample"], name: "/Identity_sample", opType: "Identity" });
  graph.output("sample", ["batch", 3, ...spatialDims(config, 1, 8)]);
  return graph.model(randomModelNotice("vae_decoder", "VAE decoder (latent → RGB, ×8)", config));
}
