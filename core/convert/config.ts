import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";

const count = z.number().int().positive();
const counts = z.array(count).min(1);
const perBlock = z.union([count, counts]);
const unsupported = (value: string) => ({ message: `only ${value} is supported` });

/**
 * diffusers' `ControlNetModel` config.json (diffusers 0.31 keys and defaults), restricted to what the
 * converter builds exactly: SDXL-style ControlNets (`addition_embed_type: "text_time"`). Keys starting
 * with `_` are diffusers' bookkeeping and ignored; any other unknown key is refused.
 */
export const controlNetConfigSchema = z.strictObject({
  in_channels: count.default(4),
  conditioning_channels: count.default(3),
  flip_sin_to_cos: z.boolean().default(true),
  freq_shift: z.number().int().nonnegative().default(0),
  down_block_types: z
    .array(z.enum(["DownBlock2D", "CrossAttnDownBlock2D"], unsupported("DownBlock2D or CrossAttnDownBlock2D")))
    .min(1)
    .default(["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]),
  mid_block_type: z
    .enum(["UNetMidBlock2DCrossAttn", "UNetMidBlock2D"], unsupported("UNetMidBlock2DCrossAttn or UNetMidBlock2D"))
    .default("UNetMidBlock2DCrossAttn"),
  only_cross_attention: z.union([z.literal(false), z.array(z.literal(false))], unsupported("false")).default(false),
  block_out_channels: counts.default([320, 640, 1280, 1280]),
  layers_per_block: count.default(2),
  downsample_padding: z.number().int().nonnegative().default(1),
  mid_block_scale_factor: z.number().positive().default(1),
  act_fn: z.literal("silu", unsupported('"silu"')).default("silu"),
  norm_num_groups: count.default(32),
  norm_eps: z.number().positive().default(1e-5),
  cross_attention_dim: count.default(1280),
  transformer_layers_per_block: perBlock.default(1),
  encoder_hid_dim: z.null(unsupported("null")).default(null),
  encoder_hid_dim_type: z.null(unsupported("null")).default(null),
  attention_head_dim: perBlock.default(8),
  num_attention_heads: perBlock.nullable().default(null),
  use_linear_projection: z.boolean().default(false),
  class_embed_type: z.null(unsupported("null")).default(null),
  addition_embed_type: z.literal("text_time", unsupported('"text_time" (SDXL)')),
  addition_time_embed_dim: count,
  num_class_embeds: z.null(unsupported("null")).default(null),
  // Only changes the dtype of fp16 attention scores; the converted graph computes in float32.
  upcast_attention: z.boolean().nullable().default(false),
  resnet_time_scale_shift: z.literal("default", unsupported('"default"')).default("default"),
  projection_class_embeddings_input_dim: count,
  controlnet_conditioning_channel_order: z.enum(["rgb", "bgr"], unsupported('"rgb" or "bgr"')).default("rgb"),
  conditioning_embedding_out_channels: counts.default([16, 32, 96, 256]),
  global_pool_conditions: z.boolean().default(false),
  // Read by diffusers only for addition_embed_type "text".
  addition_embed_type_num_heads: count.default(64),
});

/** A parsed and defaulted `config.json`. */
export type ControlNetConfig = z.output<typeof controlNetConfigSchema>;

/** Parses `config.json`'s content; every refusal names the key, the value and what is supported. */
export function parseControlNetConfig(json: unknown, source: string): ControlNetConfig {
  const own =
    json && typeof json === "object" && !Array.isArray(json)
      ? Object.fromEntries(Object.entries(json).filter(([key]) => !key.startsWith("_")))
      : json;
  const result = controlNetConfigSchema.safeParse(own);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue.code === "unrecognized_keys")
      throw unsupportedKey(
        source,
        issue.keys[0],
        `the converter does not know this key (${issue.keys.join(", ")}), so it cannot tell what it changes`,
      );
    const key = String(issue.path[0] ?? "(root)");
    const at = issue.path.length > 1 ? `${issue.path.join(".")}` : key;
    throw unsupportedKey(source, key, `${at} = ${JSON.stringify(valueAt(own, issue.path))}: ${issue.message}`);
  }
  checkConsistency(result.data, source);
  return result.data;
}

/** The typed refusal of one config key: `details.key` names it. */
export function unsupportedKey(source: string, key: string, why: string): InstantIdError {
  return new InstantIdError(
    ErrorCode.ModelInvalid,
    `Cannot convert the ControlNet in ${source}: config key "${key}" is not supported (${why}). The converter builds diffusers' ` +
      `SDXL ControlNetModel exactly and refuses what it would have to approximate.`,
    { details: { source, key } },
  );
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const key of path) value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** Cross-key rules diffusers asserts (or would fail on later with a shape error). */
function checkConsistency(config: ControlNetConfig, source: string): void {
  const blocks = config.down_block_types.length;
  const sameLength = (key: keyof ControlNetConfig) => {
    const value = config[key];
    if (Array.isArray(value) && value.length !== blocks)
      throw unsupportedKey(source, key, `it has ${value.length} entries but down_block_types has ${blocks}`);
  };
  for (const key of [
    "block_out_channels",
    "transformer_layers_per_block",
    "attention_head_dim",
    "num_attention_heads",
    "only_cross_attention",
  ] as const)
    sameLength(key);
  config.block_out_channels.forEach((channels, i) => {
    if (channels % config.norm_num_groups)
      throw unsupportedKey(
        source,
        "norm_num_groups",
        `${config.norm_num_groups} groups do not divide block_out_channels[${i}] = ${channels}`,
      );
  });
  if (config.block_out_channels[0] % 2)
    throw unsupportedKey(
      source,
      "block_out_channels",
      `the timestep embedding needs an even block_out_channels[0], not ${config.block_out_channels[0]}`,
    );
  if (config.addition_time_embed_dim % 2)
    throw unsupportedKey(source, "addition_time_embed_dim", `it must be even, not ${config.addition_time_embed_dim}`);
  const textDim = config.projection_class_embeddings_input_dim - 6 * config.addition_time_embed_dim;
  if (textDim <= 0) {
    throw unsupportedKey(
      source,
      "projection_class_embeddings_input_dim",
      `${config.projection_class_embeddings_input_dim} leaves no room for text_embeds beside 6 time ids × ` +
        `addition_time_embed_dim ${config.addition_time_embed_dim}`,
    );
  }
}
