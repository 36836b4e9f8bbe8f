import type { UNetBlockDescription, UNetDescription } from "../image-adapter/unet-layout.js";
import type { DownBlockSpec, TimeEmbeddingSpec, TransformerSpec } from "../graph-builder/unet-blocks.js";

/**
 * The shape of a synthetic SDXL-style UNet (and its IdentityNet): SDXL's block structure — three down
 * blocks (the first without attention), a mid block, three up blocks with one more resnet each, nine
 * down-block skips — with every width and depth configurable.
 */
export interface SyntheticUnetConfig {
  /** Output channels of down blocks 0, 1, 2 (SDXL: 320, 640, 1280). */
  readonly channels: readonly [number, number, number];
  /** Transformer blocks per attention in down blocks 0, 1, 2; 0 = no attention (SDXL: 0, 2, 10). */
  readonly transformerLayers: readonly [number, number, number];
  /** Resnets per down block (SDXL: 2; up blocks get one more). */
  readonly layersPerBlock: number;
  /** Width of each attention head (SDXL: 64). */
  readonly headDim: number;
  /** GroupNorm groups (SDXL: 32). */
  readonly groups: number;
  /** Text token width, `encoder_hidden_states`' last dim (SDXL: 2048). */
  readonly contextDim: number;
  /** Pooled text embedding width, `text_embeds` (SDXL: 1280). */
  readonly pooledDim: number;
  /** Sinusoid width per `time_ids` entry (SDXL: 256). */
  readonly timeIdDim: number;
  /** ControlNet conditioning embedding channels before its three stride-2 convs (SDXL: 16, 32, 96, 256). */
  readonly conditioningChannels: readonly [number, number, number, number];
  /** Fixed latent size; when absent, height and width are symbolic (any multiple of 4). */
  readonly latentSize?: { readonly height: number; readonly width: number };
  /** Seed of the random weights. */
  readonly seed: number;
}

/** A tiny UNet for demos and tests: SDXL's structure at widths 32/64/128, one transformer block per attention. */
export const TINY_UNET: SyntheticUnetConfig = {
  channels: [32, 64, 128],
  transformerLayers: [0, 1, 1],
  layersPerBlock: 2,
  headDim: 16,
  groups: 8,
  contextDim: 64,
  pooledDim: 32,
  timeIdDim: 8,
  conditioningChannels: [8, 16, 32, 64],
  seed: 1,
};

/** SDXL's real channel widths and head size with shallow transformers (1 block per attention): for benchmarks. */
export const SDXL_WIDTH_UNET: SyntheticUnetConfig = {
  channels: [320, 640, 1280],
  transformerLayers: [0, 1, 1],
  layersPerBlock: 2,
  headDim: 64,
  groups: 32,
  contextDim: 2048,
  pooledDim: 1280,
  timeIdDim: 256,
  conditioningChannels: [16, 32, 96, 256],
  seed: 1,
};

function block(attentions: number, transformerBlocks: number, width: number, headDim: number): UNetBlockDescription {
  return transformerBlocks > 0
    ? { attentions, transformerBlocks, width, heads: width / headDim }
    : { attentions: 0, transformerBlocks: 0, width: 0, heads: 0 };
}

/** The attention layout of a synthetic UNet, as core/adapter describes UNets (for processor keys). */
export function describeSyntheticUnet(config: SyntheticUnetConfig): UNetDescription {
  const { channels, transformerLayers: layers, layersPerBlock: n, headDim } = config;
  return {
    downBlocks: [0, 1, 2].map((i) => block(n, layers[i], channels[i], headDim)),
    upBlocks: [2, 1, 0].map((i) => block(n + 1, layers[i], channels[i], headDim)),
    midBlock: block(1, layers[2], channels[2], headDim),
  };
}

/** Channels and latent downscale of the nine (for 2 layers per block) down-block skips, in order. */
export function downSkips(config: SyntheticUnetConfig): { channels: number; scale: number }[] {
  const skips = [{ channels: config.channels[0], scale: 1 }];
  config.channels.forEach((channels, i) => {
    for (let l = 0; l < config.layersPerBlock; l++) skips.push({ channels, scale: 2 ** i });
    if (i < 2) skips.push({ channels, scale: 2 ** (i + 1) });
  });
  return skips;
}

/** The synthetic models' attention: GELU feed-forward, linear projections, GroupNorm eps 1e-5, heads of `headDim`. */
export function syntheticTransformer(config: SyntheticUnetConfig, block: number): TransformerSpec | undefined {
  const depth = config.transformerLayers[block];
  if (depth === 0) return undefined;
  return { depth, heads: config.channels[block] / config.headDim, feedForward: "gelu", linearProjection: true, normEps: 1e-5 };
}

/** The three down blocks of a synthetic UNet (the last without a downsampler). */
export function syntheticDownBlocks(config: SyntheticUnetConfig): DownBlockSpec[] {
  return config.channels.map((channels, i) => ({
    channels,
    transformer: syntheticTransformer(config, i),
    downsample: i < config.channels.length - 1,
  }));
}

/** The synthetic models' time embedding (flip_sin_to_cos, shift 0; text_embeds of `pooledDim`). */
export function syntheticTimeEmbedding(config: SyntheticUnetConfig): TimeEmbeddingSpec {
  const c0 = config.channels[0];
  return {
    timeDim: c0,
    embeddingDim: 4 * c0,
    sinusoid: { flipSinToCos: true, freqShift: 0 },
    timeIdDim: config.timeIdDim,
    addedInputDim: config.pooledDim + 6 * config.timeIdDim,
  };
}
