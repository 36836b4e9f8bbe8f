import { describe, expect, it } from "vitest";
import { controlNetArchitecture } from "../../../core/convert/architecture.js";
import { parseControlNetConfig } from "../../../core/convert/config.js";
import { SDXL_CONTROLNET_CONFIG } from "../../../core/synthetic/random-checkpoint.js";
import { InstantIdError } from "../../../core/errors.js";

const architecture = (config: Record<string, unknown>) =>
  controlNetArchitecture(parseControlNetConfig(config, "config.json"), "config.json");

function refusal(config: Record<string, unknown>): InstantIdError {
  try {
    architecture(config);
  } catch (error) {
    expect(error).toBeInstanceOf(InstantIdError);
    expect((error as InstantIdError).code).toBe("MODEL_INVALID");
    return error as InstantIdError;
  }
  throw new Error("the config was accepted");
}

describe("ControlNet config.json", () => {
  it(
    "reads InstantX's IdentityNet config as SDXL: heads from attention_head_dim (diffusers' naming quirk), 64-wide, GEGLU, " +
      "1/2/10 transformer layers",
    () => {
      const arch = architecture(SDXL_CONTROLNET_CONFIG);
      expect(arch.blocks.map((b) => [b.channels, b.transformer?.heads, b.transformer?.depth, b.downsample])).toEqual([
        [320, undefined, undefined, true],
        [640, 10, 2, true],
        [1280, 20, 10, false],
      ]);
      expect(arch.mid).toMatchObject({
        pairs: 1,
        outputScale: 1,
        transformer: { heads: 20, depth: 10, feedForward: "geglu", linearProjection: true, normEps: 1e-6 },
      });
      expect(arch).toMatchObject({
        textEmbedsDim: 1280,
        contextDim: 2048,
        groups: 32,
        resnetEps: 1e-5,
        conditioningWidths: [16, 32, 96, 256],
        channelOrder: "rgb",
        globalPool: false,
      });
      expect(arch.time).toEqual({
        timeDim: 320,
        embeddingDim: 1280,
        sinusoid: { flipSinToCos: true, freqShift: 0 },
        timeIdDim: 256,
        addedInputDim: 2816,
      });
    },
  );

  it("treats an int as the same value for every block, and num_attention_heads (when set) over attention_head_dim", () => {
    const lists = architecture({ ...SDXL_CONTROLNET_CONFIG, transformer_layers_per_block: [2, 2, 2], attention_head_dim: [10, 10, 10] });
    const ints = architecture({ ...SDXL_CONTROLNET_CONFIG, transformer_layers_per_block: 2, attention_head_dim: 10 });
    expect(ints).toEqual(lists);
    const heads = architecture({ ...SDXL_CONTROLNET_CONFIG, attention_head_dim: 64, num_attention_heads: [5, 10, 20] });
    expect(heads.blocks.map((b) => b.transformer?.heads)).toEqual([undefined, 10, 20]);
  });

  it("applies diffusers' defaults for absent keys and ignores its _-prefixed bookkeeping", () => {
    const { down_block_types, block_out_channels, ...rest } = SDXL_CONTROLNET_CONFIG;
    const arch = architecture({
      ...rest,
      _diffusers_version: "0.31.0",
      _name_or_path: "x",
      attention_head_dim: 8,
      transformer_layers_per_block: 1,
    });
    expect(arch.blocks.map((b) => [b.channels, b.transformer !== undefined])).toEqual([
      [320, true],
      [640, true],
      [1280, true],
      [1280, false],
    ]);
    expect(down_block_types).toHaveLength(block_out_channels.length);
  });

  it("maps bgr, global pooling and downsample padding 0 to what diffusers does", () => {
    const arch = architecture({
      ...SDXL_CONTROLNET_CONFIG,
      controlnet_conditioning_channel_order: "bgr",
      global_pool_conditions: true,
      downsample_padding: 0,
    });
    expect(arch).toMatchObject({ channelOrder: "bgr", globalPool: true, downsamplePads: [0, 0, 1, 1] });
  });

  it.each([
    [{ act_fn: "gelu" }, "act_fn", /"silu"/],
    [
      { down_block_types: ["DownBlock2D", "SimpleCrossAttnDownBlock2D", "CrossAttnDownBlock2D"] },
      "down_block_types",
      /down_block_types\.1 = "SimpleCrossAttnDownBlock2D"/,
    ],
    [{ mid_block_type: "UNetMidBlock2DSimpleCrossAttn" }, "mid_block_type", /UNetMidBlock2DSimpleCrossAttn/],
    [{ addition_embed_type: "text" }, "addition_embed_type", /text_time/],
    [{ addition_embed_type: null }, "addition_embed_type", /text_time/],
    [{ class_embed_type: "timestep" }, "class_embed_type", /null/],
    [{ encoder_hid_dim: 1024 }, "encoder_hid_dim", /null/],
    [{ resnet_time_scale_shift: "scale_shift" }, "resnet_time_scale_shift", /default/],
    [{ only_cross_attention: true }, "only_cross_attention", /false/],
    [{ transformer_layers_per_block: [1, [2, 2], 10] }, "transformer_layers_per_block", /transformer_layers_per_block/],
    [{ attention_head_dim: [5, 10] }, "attention_head_dim", /2 entries but down_block_types has 3/],
    [{ attention_head_dim: [5, 10, 30] }, "attention_head_dim", /30 heads do not divide block_out_channels\[2\] = 1280/],
    [{ norm_num_groups: 48 }, "norm_num_groups", /48 groups do not divide/],
    [{ projection_class_embeddings_input_dim: 1536 }, "projection_class_embeddings_input_dim", /no room for text_embeds/],
    [{ time_embedding_type: "fourier" }, "time_embedding_type", /does not know this key/],
  ])("refuses %j naming the key", (change, key, text) => {
    const error = refusal({ ...SDXL_CONTROLNET_CONFIG, ...change });
    expect(error.details?.key).toBe(key);
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toMatch(text);
  });
});
