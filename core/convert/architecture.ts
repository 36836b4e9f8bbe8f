import type { ConvPads } from "../graph-builder/layers.js";
import type { DownBlockSpec, TimeEmbeddingSpec, TransformerSpec } from "../graph-builder/unet-blocks.js";
import { type ControlNetConfig, unsupportedKey } from "./config.js";

// Fixed in diffusers' Transformer2DModel (its GroupNorm), whatever norm_eps says.
const TRANSFORMER_NORM_EPS = 1e-6;
// SDXL's add_time_ids: original size, crop offset, target size.
const TIME_IDS = 6;

/** What the graph builder needs from a ControlNet config: every block's shape, resolved from diffusers' keys. */
export interface ControlNetArchitecture {
  readonly inChannels: number;
  readonly conditioningChannels: number;
  readonly channelOrder: "rgb" | "bgr";
  readonly conditioningWidths: readonly number[];
  readonly blocks: readonly DownBlockSpec[];
  readonly layersPerBlock: number;
  readonly downsamplePads: ConvPads;
  readonly mid: { readonly transformer?: TransformerSpec; readonly pairs: number; readonly outputScale: number };
  readonly time: TimeEmbeddingSpec;
  readonly groups: number;
  readonly resnetEps: number;
  readonly contextDim: number;
  readonly textEmbedsDim: number;
  readonly timeIds: number;
  readonly globalPool: boolean;
}

const perBlock = (value: number | readonly number[], blocks: number): readonly number[] =>
  typeof value === "number" ? Array(blocks).fill(value) : value;

/** Resolves a parsed config into block shapes (diffusers' `num_attention_heads or attention_head_dim` quirk included). */
export function controlNetArchitecture(config: ControlNetConfig, source: string): ControlNetArchitecture {
  const n = config.down_block_types.length;
  // diffusers' naming quirk: for these configs attention_head_dim holds the number of heads.
  const headsKey = config.num_attention_heads === null ? "attention_head_dim" : "num_attention_heads";
  const heads = perBlock(config.num_attention_heads ?? config.attention_head_dim, n);
  const depths = perBlock(config.transformer_layers_per_block, n);
  const transformerAt = (i: number): TransformerSpec => {
    const channels = config.block_out_channels[i];
    if (channels % heads[i])
      throw unsupportedKey(source, headsKey, `${heads[i]} heads do not divide block_out_channels[${i}] = ${channels}`);
    return {
      depth: depths[i],
      heads: heads[i],
      feedForward: "geglu",
      linearProjection: config.use_linear_projection,
      normEps: TRANSFORMER_NORM_EPS,
    };
  };
  const blocks = config.down_block_types.map(
    (type, i): DownBlockSpec => ({
      channels: config.block_out_channels[i],
      transformer: type === "CrossAttnDownBlock2D" ? transformerAt(i) : undefined,
      downsample: i < n - 1,
    }),
  );
  const p = config.downsample_padding;
  const c0 = config.block_out_channels[0];
  const crossAttnMid = config.mid_block_type === "UNetMidBlock2DCrossAttn";
  return {
    inChannels: config.in_channels,
    conditioningChannels: config.conditioning_channels,
    channelOrder: config.controlnet_conditioning_channel_order,
    conditioningWidths: config.conditioning_embedding_out_channels,
    blocks,
    layersPerBlock: config.layers_per_block,
    // Downsample2D pads (0, 1, 0, 1) by hand when its padding is 0.
    downsamplePads: p === 0 ? [0, 0, 1, 1] : [p, p, p, p],
    mid: {
      transformer: crossAttnMid ? transformerAt(n - 1) : undefined,
      pairs: crossAttnMid ? 1 : 0,
      outputScale: config.mid_block_scale_factor,
    },
    time: {
      timeDim: c0,
      embeddingDim: 4 * c0,
      sinusoid: { flipSinToCos: config.flip_sin_to_cos, freqShift: config.freq_shift },
      timeIdDim: config.addition_time_embed_dim,
      addedInputDim: config.projection_class_embeddings_input_dim,
    },
    groups: config.norm_num_groups,
    resnetEps: config.norm_eps,
    contextDim: config.cross_attention_dim,
    textEmbedsDim: config.projection_class_embeddings_input_dim - TIME_IDS * config.addition_time_embed_dim,
    timeIds: TIME_IDS,
    globalPool: config.global_pool_conditions,
  };
}

/** Channels and downscale of each down residual, in output order (conv_in's first). */
export function residualShapes(arch: ControlNetArchitecture): { channels: number; scale: number }[] {
  const shapes = [{ channels: arch.blocks[0].channels, scale: 1 }];
  arch.blocks.forEach((block, i) => {
    for (let l = 0; l < arch.layersPerBlock; l++) shapes.push({ channels: block.channels, scale: 2 ** i });
    if (block.downsample) shapes.push({ channels: block.channels, scale: 2 ** (i + 1) });
  });
  return shapes;
}
