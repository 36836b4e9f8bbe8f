import { intAttribute, intsAttribute } from "../onnx/graph.js";
import { conv, gelu, groupNorm, layerNorm, linear, silu, sinusoid, type LayerContext } from "./layers.js";
import { scopePath } from "./torch-graph.js";
import type { SyntheticUnetConfig } from "./unet-config.js";

/** The tensors every block of a UNet pass reads: the time embedding and the text context. */
export interface UnetPass {
  readonly ctx: LayerContext;
  readonly config: SyntheticUnetConfig;
  /** Time + added (text_embeds, time_ids) embedding [B, 4·c0]. */
  readonly embedding: string;
  /** `encoder_hidden_states` (or IdentityNet's face tokens) [B, L, contextDim]. */
  readonly context: string;
}

/** SDXL's time embedding plus its added text/time embedding: emb = MLP(sin(t)) + MLP([sin(time_ids); text_embeds]). */
export function timeEmbedding(ctx: LayerContext, config: SyntheticUnetConfig, timestep: string, textEmbeds: string, timeIds: string): string {
  const c0 = config.channels[0];
  const embDim = 4 * c0;
  const g = ctx.graph;
  const t = sinusoid(ctx, "time_proj", timestep, c0);
  const temb = linear(ctx, "time_embedding.linear_2", silu(ctx, "time_embedding", linear(ctx, "time_embedding.linear_1", t, c0, embDim)), embDim, embDim);
  const ids = sinusoid(ctx, "add_time_proj", timeIds, config.timeIdDim);
  const flat = g.node("Reshape", [ids, g.constant("/add_time_proj", [0n, -1n])], "/add_time_proj/Reshape");
  const added = g.node("Concat", [textEmbeds, flat], "/Concat_add_embeds", [intAttribute("axis", -1)]);
  const addDim = config.pooledDim + 6 * config.timeIdDim;
  const aemb = linear(ctx, "add_embedding.linear_2", silu(ctx, "add_embedding", linear(ctx, "add_embedding.linear_1", added, addDim, embDim)), embDim, embDim);
  return g.node("Add", [temb, aemb], "/Add_embeddings");
}

/** ResnetBlock2D: two GroupNorm-SiLU-conv stages, the time embedding added between them, a 1×1 shortcut when widths differ. */
export function resnet(pass: UnetPass, module: string, x: string, inChannels: number, outChannels: number): string {
  const { ctx } = pass;
  const g = ctx.graph;
  const s = scopePath(module);
  const embDim = 4 * pass.config.channels[0];
  let h = conv(ctx, `${module}.conv1`, silu(ctx, `${module}.norm1`, groupNorm(ctx, `${module}.norm1`, x, inChannels)), inChannels, outChannels);
  const temb = linear(ctx, `${module}.time_emb_proj`, silu(ctx, `${module}.time_emb`, pass.embedding), embDim, outChannels);
  h = g.node("Add", [h, g.node("Unsqueeze", [temb, g.constant(s, [2n, 3n])], `${s}/Unsqueeze`)], `${s}/Add`);
  h = conv(ctx, `${module}.conv2`, silu(ctx, `${module}.norm2`, groupNorm(ctx, `${module}.norm2`, h, outChannels)), outChannels, outChannels);
  const shortcut = inChannels === outChannels ? x : conv(ctx, `${module}.conv_shortcut`, x, inChannels, outChannels, 1);
  return g.node("Add", [shortcut, h], `${s}/Add_1`);
}

/** Transformer2DModel with linear projections (SDXL): tokens through `depth` BasicTransformerBlocks (attn1, attn2, GELU feed-forward). */
export function transformer(pass: UnetPass, module: string, x: string, channels: number, depth: number): string {
  const { ctx, config } = pass;
  const g = ctx.graph;
  const s = scopePath(module);
  const normed = groupNorm(ctx, `${module}.norm`, x, channels);
  const flat = g.node("Reshape", [normed, g.constant(s, [0n, BigInt(channels), -1n])], `${s}/Reshape`);
  let tokens = linear(ctx, `${module}.proj_in`, g.node("Transpose", [flat], `${s}/Transpose`, [intsAttribute("perm", [0, 2, 1])]), channels, channels);
  const heads = channels / config.headDim;
  for (let b = 0; b < depth; b++) {
    const m = `${module}.transformer_blocks.${b}`;
    const bs = scopePath(m);
    const attn = (name: string, context: string | undefined, contextDim: number, input: string) => {
      const w = attentionWeights(ctx, channels, contextDim);
      return g.attention(`${m}.${name}`, input, context, channels, contextDim, heads, w);
    };
    tokens = g.node("Add", [attn("attn1", undefined, channels, layerNorm(ctx, `${m}.norm1`, tokens, channels)), tokens], `${bs}/Add`);
    tokens = g.node("Add", [attn("attn2", pass.context, config.contextDim, layerNorm(ctx, `${m}.norm2`, tokens, channels)), tokens], `${bs}/Add_1`);
    const hidden = gelu(ctx, `${m}.ff.net.0`, linear(ctx, `${m}.ff.net.0.proj`, layerNorm(ctx, `${m}.norm3`, tokens, channels), channels, 4 * channels));
    tokens = g.node("Add", [linear(ctx, `${m}.ff.net.2`, hidden, 4 * channels, channels), tokens], `${bs}/Add_2`);
  }
  const out = linear(ctx, `${module}.proj_out`, tokens, channels, channels);
  const back = g.node("Reshape", [g.node("Transpose", [out], `${s}/Transpose_1`, [intsAttribute("perm", [0, 2, 1])]), g.node("Shape", [x], `${s}/Shape`)], `${s}/Reshape_1`);
  return g.node("Add", [back, x], `${s}/Add`);
}

function attentionWeights(ctx: LayerContext, width: number, contextDim: number) {
  return {
    toQ: ctx.random.fanIn(width * width, width),
    toK: ctx.random.fanIn(width * contextDim, contextDim),
    toV: ctx.random.fanIn(width * contextDim, contextDim),
    toOut: ctx.random.fanIn(width * width, width),
    toOutBias: ctx.random.bias(width),
  };
}

/** Downsample2D: a stride-2 3×3 conv. */
export function downsample(ctx: LayerContext, module: string, x: string, channels: number): string {
  return conv(ctx, `${module}.conv`, x, channels, channels, 3, 2);
}

/** Upsample2D: nearest ×2, then a 3×3 conv. */
export function upsample(ctx: LayerContext, module: string, x: string, channels: number): string {
  const g = ctx.graph;
  const s = scopePath(module);
  const scales = g.weight(`${module}.scales`, Float32Array.of(1, 1, 2, 2), [4]);
  const up = g.node("Resize", [x, "", scales], `${s}/Resize`, [
    { name: "mode", type: 3, s: new TextEncoder().encode("nearest") },
    { name: "nearest_mode", type: 3, s: new TextEncoder().encode("floor") },
    { name: "coordinate_transformation_mode", type: 3, s: new TextEncoder().encode("asymmetric") },
  ]);
  return conv(ctx, `${module}.conv`, up, channels, channels);
}

/** The down path from `conv_in`'s output: returns every skip tensor (conv_in's output first) and the last features. */
export function downBlocks(pass: UnetPass, x: string): { skips: string[]; out: string } {
  const { config } = pass;
  const skips = [x];
  let h = x;
  let channels = config.channels[0];
  config.channels.forEach((outChannels, i) => {
    for (let l = 0; l < config.layersPerBlock; l++) {
      h = resnet(pass, `down_blocks.${i}.resnets.${l}`, h, channels, outChannels);
      channels = outChannels;
      if (config.transformerLayers[i] > 0) h = transformer(pass, `down_blocks.${i}.attentions.${l}`, h, channels, config.transformerLayers[i]);
      skips.push(h);
    }
    if (i < config.channels.length - 1) {
      h = downsample(pass.ctx, `down_blocks.${i}.downsamplers.0`, h, channels);
      skips.push(h);
    }
  });
  return { skips, out: h };
}

/** UNetMidBlock2DCrossAttn: resnet, transformer, resnet at the deepest width. */
export function midBlock(pass: UnetPass, x: string): string {
  const c = pass.config.channels[2];
  let h = resnet(pass, "mid_block.resnets.0", x, c, c);
  if (pass.config.transformerLayers[2] > 0) h = transformer(pass, "mid_block.attentions.0", h, c, pass.config.transformerLayers[2]);
  return resnet(pass, "mid_block.resnets.1", h, c, c);
}
