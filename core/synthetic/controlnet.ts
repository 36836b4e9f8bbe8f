import type { OnnxModel } from "../onnx/model.js";
import { conditioningEmbedding, emitOutput } from "../graph-builder/controlnet-blocks.js";
import { conv, layerContext, type GraphWeightsOptions } from "../graph-builder/layers.js";
import { randomModelNotice } from "./random-notice.js";
import { downBlocks } from "../graph-builder/unet-blocks.js";
import { downSkips, syntheticDownBlocks, type SyntheticUnetConfig } from "./unet-config.js";
import { declareAddedInputs, declareUnetInputs, spatialDims, syntheticMidBlock, syntheticPass } from "./unet.js";

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
  const pass = syntheticPass(ctx, config, inputs, added);
  const features = graph.node(
    "Add",
    [
      conv(ctx, "conv_in", inputs.sample, 4, config.channels[0]),
      conditioningEmbedding(ctx, cond, 3, config.conditioningChannels, config.channels[0]),
    ],
    "/Add_cond",
  );
  const { skips, out } = downBlocks(pass, features, syntheticDownBlocks(config), config.layersPerBlock);
  downSkips(config).forEach((skip, i) => {
    const zeroConv = conv(ctx, `controlnet_down_blocks.${i}`, skips[i], skip.channels, skip.channels, 1);
    emitOutput(graph, zeroConv, SYNTHETIC_CONTROLNET_OUTPUTS.down(i), ["batch", skip.channels, ...spatialDims(config, skip.scale)]);
  });
  const c2 = config.channels[2];
  emitOutput(graph, conv(ctx, "controlnet_mid_block", syntheticMidBlock(pass, config, out), c2, c2, 1), SYNTHETIC_CONTROLNET_OUTPUTS.mid, [
    "batch",
    c2,
    ...spatialDims(config, 4),
  ]);
  return graph.model(randomModelNotice("identitynet", "IdentityNet (SDXL ControlNet) matching the synthetic UNet", config));
}
