import { int64Tensor, intAttribute, intsAttribute } from "../onnx/graph.js";
import type { OnnxModel } from "../onnx/model.js";
import { conditioningEmbedding, emitOutput } from "../graph-builder/controlnet-blocks.js";
import type { LayerWeights } from "../graph-builder/layer-weights.js";
import { conv, type LayerContext } from "../graph-builder/layers.js";
import { TorchGraph } from "../graph-builder/torch-graph.js";
import { downBlocks, midBlock, timeEmbedding, type UnetPass } from "../graph-builder/unet-blocks.js";
import { type ControlNetArchitecture, residualShapes } from "./architecture.js";

/** Output names of converted ControlNets: diffusers' ControlNetOutput fields, one tensor each. */
export const CONTROLNET_OUTPUTS = {
  down: (i: number) => `down_block_res_sample_${i}`,
  mid: "mid_block_res_sample",
} as const;

/**
 * Builds the ONNX graph of diffusers' `ControlNetModel.forward` (conditioning_scale 1, guess_mode off) with the
 * parameters `weights` provides: inputs named as diffusers' arguments (`sample`, `timestep`,
 * `encoder_hidden_states`, `controlnet_cond`, `text_embeds`, `time_ids`), one output per down residual plus
 * the mid residual, unscaled (the SDK applies scales, masks and windows itself).
 */
export function buildControlNetGraph(arch: ControlNetArchitecture, weights: LayerWeights): OnnxModel {
  const ctx: LayerContext = { graph: new TorchGraph(), weights, groups: arch.groups };
  const g = ctx.graph;
  const sample = g.input("sample", ["batch", arch.inChannels, "height", "width"]);
  const timestep = g.input("timestep", ["timesteps"]);
  const context = g.input("encoder_hidden_states", ["batch", "tokens", arch.contextDim]);
  const cond = g.input("controlnet_cond", ["batch", arch.conditioningChannels, "cond_height", "cond_width"]);
  const textEmbeds = g.input("text_embeds", ["batch", arch.textEmbedsDim]);
  const timeIds = g.input("time_ids", ["batch", arch.timeIds]);
  const embedding = timeEmbedding(ctx, arch.time, timestep, textEmbeds, timeIds);
  const pass: UnetPass = {
    ctx,
    embedding,
    embeddingDim: arch.time.embeddingDim,
    context,
    contextDim: arch.contextDim,
    resnetEps: arch.resnetEps,
  };
  const c0 = arch.blocks[0].channels;
  const image = conditioningEmbedding(ctx, channelOrder(ctx, arch, cond), arch.conditioningChannels, arch.conditioningWidths, c0);
  const features = g.node("Add", [conv(ctx, "conv_in", sample, arch.inChannels, c0), image], "/Add");
  const { skips, out } = downBlocks(pass, features, arch.blocks, arch.layersPerBlock, arch.downsamplePads);
  const last = arch.blocks[arch.blocks.length - 1].channels;
  const mid = midBlock(pass, out, last, arch.mid.transformer, arch.mid.pairs, arch.mid.outputScale);
  residualShapes(arch).forEach(({ channels, scale }, i) => {
    const residual = conv(ctx, `controlnet_down_blocks.${i}`, skips[i], channels, channels, 1);
    emitOutput(g, pooled(ctx, arch, residual, `/controlnet_down_blocks.${i}`), CONTROLNET_OUTPUTS.down(i), [
      "batch",
      channels,
      ...spatial(scale),
    ]);
  });
  const midResidual = conv(ctx, "controlnet_mid_block", mid, last, last, 1);
  emitOutput(g, pooled(ctx, arch, midResidual, "/controlnet_mid_block"), CONTROLNET_OUTPUTS.mid, [
    "batch",
    last,
    ...spatial(2 ** (arch.blocks.length - 1)),
  ]);
  const model = g.model({ name: "controlnet", docString: "diffusers ControlNetModel converted by instantid" });
  model.producerName = "instantid";
  return model;
}

function spatial(scale: number): [string, string] {
  return scale === 1 ? ["height", "width"] : [`height/${scale}`, `width/${scale}`];
}

/** `controlnet_conditioning_channel_order: "bgr"`: diffusers flips the image's channels before embedding it. */
function channelOrder(ctx: LayerContext, arch: ControlNetArchitecture, cond: string): string {
  if (arch.channelOrder === "rgb") return cond;
  const g = ctx.graph;
  const reversed = Array.from({ length: arch.conditioningChannels }, (_, i) => BigInt(arch.conditioningChannels - 1 - i));
  const indices = "/flip_channels/indices";
  g.initializers.push({ ...int64Tensor(reversed), name: indices });
  return g.node("Gather", [cond, indices], "/flip_channels/Gather", [intAttribute("axis", 1)]);
}

/**
 * `global_pool_conditions`: diffusers averages each residual over height and width (keepdim) and the UNet adds
 * it broadcast; the graph returns that broadcast already, so every output keeps its usual shape.
 */
function pooled(ctx: LayerContext, arch: ControlNetArchitecture, residual: string, scope: string): string {
  if (!arch.globalPool) return residual;
  const g = ctx.graph;
  const mean = g.node("ReduceMean", [residual], `${scope}/ReduceMean`, [intsAttribute("axes", [2, 3]), intAttribute("keepdims", 1)]);
  return g.node("Expand", [mean, g.node("Shape", [residual], `${scope}/Shape`)], `${scope}/Expand`);
}
