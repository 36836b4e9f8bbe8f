import { intAttribute } from "../onnx/graph.js";
import { OnnxDataType, type OnnxModel } from "../onnx/model.js";
import type { AttentionStyle } from "../graph-builder/attention-styles.js";
import { conv, groupNorm, layerContext, silu, type GraphWeightsOptions } from "../graph-builder/layers.js";
import { randomModelNotice } from "./random-notice.js";
import type { TorchGraph } from "../graph-builder/torch-graph.js";
import { downBlocks, midBlock, resnet, timeEmbedding, transformer, upsample, type UnetPass } from "../graph-builder/unet-blocks.js";
import { downSkips, syntheticDownBlocks, syntheticTimeEmbedding, syntheticTransformer, type SyntheticUnetConfig } from "./unet-config.js";
import type { LayerContext } from "../graph-builder/layers.js";

/** Residual input names, as the golden UNet and OnnxStack-style SDXL exports name them. */
export const SYNTHETIC_UNET_RESIDUALS = {
  down: (i: number) => `down_block_additional_residual_${i}`,
  mid: "mid_block_additional_residual",
} as const;

/** Spatial dims of a latent-sized tensor downscaled by `scale`: numbers when the config fixes the size, else symbolic. */
export function spatialDims(config: SyntheticUnetConfig, scale: number, factor = 1): [number | string, number | string] {
  if (config.latentSize) return [(config.latentSize.height * factor) / scale, (config.latentSize.width * factor) / scale];
  const name = (axis: string) => (scale === 1 && factor === 1 ? axis : factor !== 1 ? `${axis}*${factor}` : `${axis}/${scale}`);
  return [name("height"), name("width")];
}

/** The SDXL UNet inputs every synthetic model shares (sample, timestep, text context and added conditioning). */
export function declareUnetInputs(
  graph: TorchGraph,
  config: SyntheticUnetConfig,
  contextTokens: number | string,
  timestep: "float" | "int64" = "float",
) {
  return {
    sample: graph.input("sample", ["batch", 4, ...spatialDims(config, 1)]),
    timestep: graph.input("timestep", [1], timestep === "int64" ? OnnxDataType.Int64 : OnnxDataType.Float),
    context: graph.input("encoder_hidden_states", ["batch", contextTokens, config.contextDim]),
  };
}

/** Declares `text_embeds` and `time_ids` (after the modality-specific inputs, as exporters order them). */
export function declareAddedInputs(graph: TorchGraph, config: SyntheticUnetConfig) {
  return { textEmbeds: graph.input("text_embeds", ["batch", config.pooledDim]), timeIds: graph.input("time_ids", ["batch", 6]) };
}

/** How the synthetic UNet graph is laid out, to mimic the exports people have (the weights stay the same). */
export interface SyntheticUnetLayout {
  /** Take ControlNet residuals as inputs (default true), or not, as optimum's SDXL export. */
  readonly residualInputs?: boolean;
  /** How each attention is written (default "split-heads"). */
  readonly attention?: AttentionStyle;
  /** The `timestep` input's type (default "float"); "int64" is cast to float inside, as such exports do. */
  readonly timestep?: "float" | "int64";
}

/**
 * Builds an SDXL-shaped UNet ONNX with seeded random weights, named as `torch.onnx.export` names diffusers'
 * modules, taking ControlNet residuals as inputs unless `layout` says otherwise. Its outputs are meaningless:
 * it exists to run the pipeline (demo, tests, benchmarks) without downloading SDXL.
 */
export function buildSyntheticUnet(
  config: SyntheticUnetConfig,
  weights: GraphWeightsOptions = {},
  layout: SyntheticUnetLayout = {},
): OnnxModel {
  const ctx = layerContext(config.seed, config.groups, weights);
  const { graph } = ctx;
  graph.attentionStyle = layout.attention ?? "split-heads";
  const inputs = declareUnetInputs(graph, config, "sequence", layout.timestep);
  const added = declareAddedInputs(graph, config);
  const skipShapes = downSkips(config);
  const takesResiduals = layout.residualInputs ?? true;
  const residuals = takesResiduals
    ? skipShapes.map((skip, i) =>
        graph.input(SYNTHETIC_UNET_RESIDUALS.down(i), ["batch", skip.channels, ...spatialDims(config, skip.scale)]),
      )
    : [];
  const midResidual = takesResiduals
    ? graph.input(SYNTHETIC_UNET_RESIDUALS.mid, ["batch", config.channels[2], ...spatialDims(config, 4)])
    : undefined;
  const timestep =
    layout.timestep === "int64"
      ? graph.node("Cast", [inputs.timestep], "/time_proj/Cast", [intAttribute("to", OnnxDataType.Float)])
      : inputs.timestep;
  const pass = syntheticPass(ctx, config, { ...inputs, timestep }, added);
  const { skips, out } = downBlocks(
    pass,
    conv(ctx, "conv_in", inputs.sample, 4, config.channels[0]),
    syntheticDownBlocks(config),
    config.layersPerBlock,
  );
  const withResiduals = takesResiduals ? skips.map((skip, i) => graph.node("Add", [skip, residuals[i]], `/Add_down_residual_${i}`)) : skips;
  let h = syntheticMidBlock(pass, config, out);
  if (midResidual) h = graph.node("Add", [h, midResidual], "/Add_mid_residual");
  h = upBlocks(
    pass,
    config,
    h,
    withResiduals,
    skipShapes.map((s) => s.channels),
  );
  const c0 = config.channels[0];
  const final = conv(ctx, "conv_out", silu(ctx, "conv_norm_out", groupNorm(ctx, "conv_norm_out", h, c0)), c0, 4);
  graph.nodes.push({ input: [final], output: ["out_sample"], name: "/Identity_out_sample", opType: "Identity" });
  graph.output("out_sample", ["batch", 4, ...spatialDims(config, 1)]);
  return graph.model(randomModelNotice("unet", "SDXL-shaped UNet", config));
}

/** The pass every synthetic block reads: time embedding, text context, resnet GroupNorm eps 1e-5. */
export function syntheticPass(
  ctx: LayerContext,
  config: SyntheticUnetConfig,
  inputs: { timestep: string; context: string },
  added: { textEmbeds: string; timeIds: string },
): UnetPass {
  const time = syntheticTimeEmbedding(config);
  const embedding = timeEmbedding(ctx, time, inputs.timestep, added.textEmbeds, added.timeIds);
  return { ctx, embedding, embeddingDim: time.embeddingDim, context: inputs.context, contextDim: config.contextDim, resnetEps: 1e-5 };
}

/** Resnet, transformer (when the last block has attention), resnet at the deepest width. */
export function syntheticMidBlock(pass: UnetPass, config: SyntheticUnetConfig, x: string): string {
  return midBlock(pass, x, config.channels[2], syntheticTransformer(config, 2));
}

function upBlocks(pass: UnetPass, config: SyntheticUnetConfig, x: string, skips: string[], skipChannels: number[]): string {
  const { ctx } = pass;
  const reversed = [...config.channels].reverse();
  const blocks = [2, 1, 0];
  let h = x;
  let channels = reversed[0];
  reversed.forEach((outChannels, i) => {
    for (let r = 0; r <= config.layersPerBlock; r++) {
      const skip = skips.pop()!;
      const skipWidth = skipChannels.pop()!;
      const joined = ctx.graph.node("Concat", [h, skip], `/up_blocks.${i}/Concat_${r}`, [intAttribute("axis", 1)]);
      h = resnet(pass, `up_blocks.${i}.resnets.${r}`, joined, channels + skipWidth, outChannels);
      channels = outChannels;
      const spec = syntheticTransformer(config, blocks[i]);
      if (spec) h = transformer(pass, `up_blocks.${i}.attentions.${r}`, h, channels, spec);
    }
    if (i < reversed.length - 1) h = upsample(ctx, `up_blocks.${i}.upsamplers.0`, h, channels);
  });
  return h;
}
