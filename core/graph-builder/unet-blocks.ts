import { intAttribute, intsAttribute } from "../onnx/graph.js";
import {
  conv,
  gelu,
  geglu,
  groupNorm,
  layerNorm,
  linear,
  silu,
  sinusoid,
  type ConvPads,
  type LayerContext,
  type SinusoidOptions,
} from "./layers.js";
import { scopePath } from "./torch-graph.js";

/** The tensors every block of a UNet (or ControlNet) pass reads, and the settings all its resnets share. */
export interface UnetPass {
  readonly ctx: LayerContext;
  /** Time + added (text_embeds, time_ids) embedding [B, embeddingDim]. */
  readonly embedding: string;
  readonly embeddingDim: number;
  /** `encoder_hidden_states` (or IdentityNet's face tokens) [B, L, contextDim]. */
  readonly context: string;
  readonly contextDim: number;
  /** GroupNorm epsilon of the resnets (diffusers' `norm_eps`). */
  readonly resnetEps: number;
}

/** A Transformer2DModel's shape. */
export interface TransformerSpec {
  /** BasicTransformerBlocks in a row. */
  readonly depth: number;
  readonly heads: number;
  /** Feed-forward activation: diffusers' default GEGLU, or plain GELU (the synthetic models). */
  readonly feedForward: "geglu" | "gelu";
  /** `use_linear_projection`: Linear proj_in/proj_out on tokens, else 1×1 convs on the feature map. */
  readonly linearProjection: boolean;
  /** Epsilon of its GroupNorm (diffusers: 1e-6). */
  readonly normEps: number;
}

/** One down block: its output width, its attention (CrossAttnDownBlock2D) if any, and whether it ends with a Downsample2D. */
export interface DownBlockSpec {
  readonly channels: number;
  readonly transformer?: TransformerSpec;
  readonly downsample: boolean;
}

/** The time embedding's shape: diffusers' `Timesteps` + `TimestepEmbedding`, plus SDXL's `text_time` added embedding. */
export interface TimeEmbeddingSpec {
  /** Sinusoid width of the timestep (block_out_channels[0]). */
  readonly timeDim: number;
  /** Output width (4 · block_out_channels[0]). */
  readonly embeddingDim: number;
  readonly sinusoid: SinusoidOptions;
  /** Sinusoid width per `time_ids` entry (addition_time_embed_dim). */
  readonly timeIdDim: number;
  /** Width of [text_embeds; sin(time_ids)] (projection_class_embeddings_input_dim). */
  readonly addedInputDim: number;
}

/** SDXL's time embedding plus its added text/time embedding: emb = MLP(sin(t)) + MLP([text_embeds; sin(time_ids)]). */
export function timeEmbedding(ctx: LayerContext, spec: TimeEmbeddingSpec, timestep: string, textEmbeds: string, timeIds: string): string {
  const { timeDim, embeddingDim: embDim } = spec;
  const g = ctx.graph;
  const t = sinusoid(ctx, "time_proj", timestep, timeDim, spec.sinusoid);
  const temb = linear(
    ctx,
    "time_embedding.linear_2",
    silu(ctx, "time_embedding", linear(ctx, "time_embedding.linear_1", t, timeDim, embDim)),
    embDim,
    embDim,
  );
  const ids = sinusoid(ctx, "add_time_proj", timeIds, spec.timeIdDim, spec.sinusoid);
  const flat = g.node("Reshape", [ids, g.constant("/add_time_proj", [0n, -1n])], "/add_time_proj/Reshape");
  const added = g.node("Concat", [textEmbeds, flat], "/Concat_add_embeds", [intAttribute("axis", -1)]);
  const aemb = linear(
    ctx,
    "add_embedding.linear_2",
    silu(ctx, "add_embedding", linear(ctx, "add_embedding.linear_1", added, spec.addedInputDim, embDim)),
    embDim,
    embDim,
  );
  return g.node("Add", [temb, aemb], "/Add_embeddings");
}

/**
 * ResnetBlock2D: two GroupNorm-SiLU-conv stages, the time embedding added between them, a 1×1 shortcut when
 * widths differ, the sum divided by `outputScale` (diffusers' output_scale_factor) when it is not 1.
 */
export function resnet(pass: UnetPass, module: string, x: string, inChannels: number, outChannels: number, outputScale = 1): string {
  const { ctx, resnetEps: eps } = pass;
  const g = ctx.graph;
  const s = scopePath(module);
  let h = conv(
    ctx,
    `${module}.conv1`,
    silu(ctx, `${module}.norm1`, groupNorm(ctx, `${module}.norm1`, x, inChannels, eps)),
    inChannels,
    outChannels,
  );
  const temb = linear(ctx, `${module}.time_emb_proj`, silu(ctx, `${module}.time_emb`, pass.embedding), pass.embeddingDim, outChannels);
  h = g.node("Add", [h, g.node("Unsqueeze", [temb, g.constant(s, [2n, 3n])], `${s}/Unsqueeze`)], `${s}/Add`);
  h = conv(
    ctx,
    `${module}.conv2`,
    silu(ctx, `${module}.norm2`, groupNorm(ctx, `${module}.norm2`, h, outChannels, eps)),
    outChannels,
    outChannels,
  );
  const shortcut = inChannels === outChannels ? x : conv(ctx, `${module}.conv_shortcut`, x, inChannels, outChannels, 1);
  const sum = g.node("Add", [shortcut, h], `${s}/Add_1`);
  if (outputScale === 1) return sum;
  return g.node("Div", [sum, g.weight(`${module}.output_scale_factor`, Float32Array.of(outputScale), [])], `${s}/Div`);
}

/** Transformer2DModel: tokens through `spec.depth` BasicTransformerBlocks (attn1, attn2, feed-forward), added back to `x`. */
export function transformer(pass: UnetPass, module: string, x: string, channels: number, spec: TransformerSpec): string {
  const { ctx } = pass;
  const g = ctx.graph;
  const s = scopePath(module);
  let normed = groupNorm(ctx, `${module}.norm`, x, channels, spec.normEps);
  if (!spec.linearProjection) normed = conv(ctx, `${module}.proj_in`, normed, channels, channels, 1);
  const flat = g.node("Reshape", [normed, g.constant(s, [0n, BigInt(channels), -1n])], `${s}/Reshape`);
  let tokens = g.node("Transpose", [flat], `${s}/Transpose`, [intsAttribute("perm", [0, 2, 1])]);
  if (spec.linearProjection) tokens = linear(ctx, `${module}.proj_in`, tokens, channels, channels);
  for (let b = 0; b < spec.depth; b++) tokens = transformerBlock(pass, `${module}.transformer_blocks.${b}`, tokens, channels, spec);
  if (spec.linearProjection) tokens = linear(ctx, `${module}.proj_out`, tokens, channels, channels);
  let back = g.node(
    "Reshape",
    [g.node("Transpose", [tokens], `${s}/Transpose_1`, [intsAttribute("perm", [0, 2, 1])]), g.node("Shape", [x], `${s}/Shape`)],
    `${s}/Reshape_1`,
  );
  if (!spec.linearProjection) back = conv(ctx, `${module}.proj_out`, back, channels, channels, 1);
  return g.node("Add", [back, x], `${s}/Add`);
}

/** BasicTransformerBlock: self-attention, cross-attention on the context, feed-forward; each pre-normed and residual. */
function transformerBlock(pass: UnetPass, m: string, tokens: string, channels: number, spec: TransformerSpec): string {
  const { ctx } = pass;
  const g = ctx.graph;
  const bs = scopePath(m);
  const attn = (name: string, context: string | undefined, contextDim: number, input: string) =>
    g.attend(`${m}.${name}`, input, context, channels, spec.heads, ctx.weights.attention(g, `${m}.${name}`, channels, contextDim));
  tokens = g.node("Add", [attn("attn1", undefined, channels, layerNorm(ctx, `${m}.norm1`, tokens, channels)), tokens], `${bs}/Add`);
  tokens = g.node(
    "Add",
    [attn("attn2", pass.context, pass.contextDim, layerNorm(ctx, `${m}.norm2`, tokens, channels)), tokens],
    `${bs}/Add_1`,
  );
  const normed = layerNorm(ctx, `${m}.norm3`, tokens, channels);
  const hidden =
    spec.feedForward === "geglu"
      ? geglu(ctx, `${m}.ff.net.0`, normed, channels, 4 * channels)
      : gelu(ctx, `${m}.ff.net.0`, linear(ctx, `${m}.ff.net.0.proj`, normed, channels, 4 * channels));
  return g.node("Add", [linear(ctx, `${m}.ff.net.2`, hidden, 4 * channels, channels), tokens], `${bs}/Add_2`);
}

/** Downsample2D: a stride-2 3×3 conv (`pads` [0, 0, 1, 1] for diffusers' downsample_padding 0). */
export function downsample(ctx: LayerContext, module: string, x: string, channels: number, pads?: ConvPads): string {
  return conv(ctx, `${module}.conv`, x, channels, channels, 3, 2, 1, pads);
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

/**
 * The down path from `conv_in`'s output (DownBlock2D / CrossAttnDownBlock2D, `layersPerBlock` resnets each):
 * returns every skip tensor (conv_in's output first) and the last features.
 */
export function downBlocks(
  pass: UnetPass,
  x: string,
  blocks: readonly DownBlockSpec[],
  layersPerBlock: number,
  downsamplePads?: ConvPads,
): { skips: string[]; out: string } {
  const skips = [x];
  let h = x;
  let channels = blocks[0].channels;
  blocks.forEach((block, i) => {
    for (let l = 0; l < layersPerBlock; l++) {
      h = resnet(pass, `down_blocks.${i}.resnets.${l}`, h, channels, block.channels);
      channels = block.channels;
      if (block.transformer) h = transformer(pass, `down_blocks.${i}.attentions.${l}`, h, channels, block.transformer);
      skips.push(h);
    }
    if (block.downsample) {
      h = downsample(pass.ctx, `down_blocks.${i}.downsamplers.0`, h, channels, downsamplePads);
      skips.push(h);
    }
  });
  return { skips, out: h };
}

/**
 * The mid block: a resnet, then `pairs` × (attention when `transformerSpec` is given, resnet). diffusers'
 * UNetMidBlock2DCrossAttn is one pair with attention; UNetMidBlock2D as ControlNets build it is zero pairs.
 */
export function midBlock(
  pass: UnetPass,
  x: string,
  channels: number,
  transformerSpec: TransformerSpec | undefined,
  pairs = 1,
  outputScale = 1,
): string {
  let h = resnet(pass, "mid_block.resnets.0", x, channels, channels, outputScale);
  for (let i = 0; i < pairs; i++) {
    if (transformerSpec) h = transformer(pass, `mid_block.attentions.${i}`, h, channels, transformerSpec);
    h = resnet(pass, `mid_block.resnets.${i + 1}`, h, channels, channels, outputScale);
  }
  return h;
}
