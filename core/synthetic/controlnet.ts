import type { OnnxModel } from "../onnx/model.js";
import { conv, layerContext, silu, type GraphWeightsOptions, type LayerContext } from "./layers.js";
import { randomModelNotice } from "./random-notice.js";
import type { TorchGraph } from "./torch-graph.js";
import { downBlocks, midBlock, timeEmbedding, type UnetPass } from "./unet-blocks.js";
import { downSkips, type SyntheticUnetConfig } from "./unet-config.js";
import { declareAddedInputs, declareUnetInputs, spatialDims } from "./unet.js";

/** IdentityNet output names, as the golden IdentityNet names them. */
export const SYNTHETIC_CONTROLNET_OUTPUTS = {
  down: (i: number) => `down_block_res_sample_${i}`,
  mid: "mid_block_res_sample",
} as const;

/**
 * Builds an IdentityNet (an SDXL ControlNet) matching {@link buildSyntheticUnet}'s config, with seeded random
 * weights (a different seed from the UNet's): face tokens as `encoder_hidden_states`, the keypoint image as
 * `controlnet_cond` (8× the latent size, in [0, 1]); one residual per UNet skip plus the mid block.
 */
export function buildSyntheticControlNet(config: SyntheticUnetConfig, faceTokens = 16, weights: GraphWeightsOptions = {}): OnnxModel {
  const ctx = layerContext(config.seed + 1000, config.groups, weights);
  const { graph } = ctx;
  const inputs = declareUnetInputs(graph, config, faceTokens);
  const cond = graph.input("controlnet_cond", ["batch", 3, ...spatialDims(config, 1, 8)]);
  const added = declareAddedInputs(graph, config);
  const pass: UnetPass = { ctx, config, embedding: timeEmbedding(ctx, config, inputs.timestep, added.textEmbeds, added.timeIds), context: inputs.context };
  const features = graph.node("Add", [conv(ctx, "conv_in", inputs.sample, 4, config.channels[0]), conditioningEmbedding(ctx, config, cond)], "/Add_cond");
  const { skips, out } = downBlocks(pass, features);
  downSkips(config).forEach((skip, i) => {
    const zeroConv = conv(ctx, `controlnet_down_blocks.${i}`, skips[i], skip.channels, skip.channels, 1);
    emit(graph, zeroConv, SYNTHETIC_CONTROLNET_OUTPUTS.down(i), ["batch", skip.channels, ...spatialDims(config, skip.scale)]);
  });
  const c2 = config.channels[2];
  emit(graph, conv(ctx, "controlnet_mid_block", midBlock(pass, out), c2, c2, 1), SYNTHETIC_CONTROLNET_OUTPUTS.mid, ["batch", c2, ...spatialDims(config, 4)]);
  return graph.model(randomModelNotice("identitynet", "IdentityNet (SDXL ControlNet) matching the synthetic UNet", config));
}

/** ControlNetConditioningEmbedding: the 8×-size image down to the latent grid through three stride-2 convs. */
function conditioningEmbedding(ctx: LayerContext, config: SyntheticUnetConfig, image: string): string {
  const widths = config.conditioningChannels;
  let h = silu(ctx, "controlnet_cond_embedding.conv_in", conv(ctx, "controlnet_cond_embedding.conv_in", image, 3, widths[0]));
  for (let i = 0; i < widths.length - 1; i++) {
    const block = `controlnet_cond_embedding.blocks.${2 * i}`;
    h = silu(ctx, block, conv(ctx, block, h, widths[i], widths[i]));
    const down = `controlnet_cond_embedding.blocks.${2 * i + 1}`;
    h = silu(ctx, down, conv(ctx, down, h, widths[i], widths[i + 1], 3, 2));
  }
  return conv(ctx, "controlnet_cond_embedding.conv_out", h, widths[widths.length - 1], config.channels[0]);
}

function emit(graph: TorchGraph, tensor: string, name: string, dims: (number | string)[]): void {
  graph.nodes.push({ input: [tensor], output: [name], name: `/Identity_${name}`, opType: "Identity" });
  graph.output(name, dims);
}
