import type { Tensor } from "../../../core/tensor/tensor.js";

const TINY = {
  in_channels: 4,
  conditioning_channels: 3,
  down_block_types: ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
  block_out_channels: [32, 64, 64],
  layers_per_block: 2,
  norm_num_groups: 8,
  cross_attention_dim: 48,
  transformer_layers_per_block: [1, 1, 2],
  attention_head_dim: [2, 4, 4],
  use_linear_projection: true,
  addition_embed_type: "text_time",
  addition_time_embed_dim: 8,
  projection_class_embeddings_input_dim: 80,
  conditioning_embedding_out_channels: [16, 32, 48, 64],
};

/**
 * Tiny ControlNet configs whose outputs were computed by an independent PyTorch re-implementation of
 * diffusers' `ControlNetModel.forward` (run once, outside the repository, on the weights
 * `writeRandomControlNet(dir, config, { seed: 7 })` writes and the inputs {@link referenceInputs} builds):
 * `published` has InstantX's layout (lists, linear projections, rgb, fp16 file); `variant` exercises the
 * other values of every supported key (ints, bgr, conv projections, global pooling, downsample padding 0,
 * sin before cos, frequency shift 1, explicit num_attention_heads, a mid-block output scale, an fp32 file).
 */
export const REFERENCE_CONFIGS = {
  published: { config: TINY, dtype: "F16" as const },
  variant: {
    config: {
      ...TINY,
      down_block_types: ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
      transformer_layers_per_block: 1,
      attention_head_dim: 4,
      num_attention_heads: 2,
      controlnet_conditioning_channel_order: "bgr",
      use_linear_projection: false,
      global_pool_conditions: true,
      downsample_padding: 0,
      flip_sin_to_cos: false,
      freq_shift: 1,
      mid_block_scale_factor: 2,
      norm_eps: 1e-3,
      conditioning_embedding_out_channels: [8, 16, 24],
    },
    dtype: "F32" as const,
  },
};

export type ReferenceCase = keyof typeof REFERENCE_CONFIGS;

const wave = (n: number, seed: number, amplitude = 0.8, offset = 0) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 7.1) * amplitude + offset);

/** Fixed inputs for a config: batch 2, an 8×8 latent, the keypoint image at the embedding's scale, SDXL-like time ids. */
export function referenceInputs(config: Record<string, unknown>): Record<string, Tensor> {
  const latent = 8;
  const scale = 2 ** ((config.conditioning_embedding_out_channels as number[]).length - 1);
  const image = latent * scale;
  const textDim = (config.projection_class_embeddings_input_dim as number) - 6 * (config.addition_time_embed_dim as number);
  const contextDim = config.cross_attention_dim as number;
  return {
    sample: { shape: [2, 4, latent, latent], data: wave(2 * 4 * latent * latent, 1) },
    timestep: { shape: [1], data: Float32Array.of(741) },
    encoder_hidden_states: { shape: [2, 16, contextDim], data: wave(2 * 16 * contextDim, 2) },
    controlnet_cond: { shape: [2, 3, image, image], data: wave(2 * 3 * image * image, 3, 0.48, 0.5) },
    text_embeds: { shape: [2, textDim], data: wave(2 * textDim, 4) },
    time_ids: { shape: [2, 6], data: Float32Array.of(128, 96, 3, 5, 128, 128, 1024, 1024, 0, 0, 1024, 1024) },
  };
}

/** The 20 element positions of an output that the reference values sample (evenly spread, never the same pattern twice). */
export function sampledIndices(length: number): number[] {
  return Array.from({ length: 20 }, (_, k) => Math.floor(((k + 0.37) * length) / 20));
}
