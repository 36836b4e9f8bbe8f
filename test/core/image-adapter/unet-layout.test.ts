import { describe, expect, it } from "vitest";
import { crossAttentionSites, SDXL_UNET } from "../../../core/image-adapter/unet-layout.js";

describe("crossAttentionSites", () => {
  const sites = crossAttentionSites(SDXL_UNET);

  it("lists SDXL's 70 cross-attention layers under the odd keys 1..139", () => {
    expect(sites).toHaveLength(70);
    expect(sites.map((s) => s.key)).toEqual(Array.from({ length: 70 }, (_, i) => 2 * i + 1));
  });

  it("orders down blocks, then up blocks, then the mid block, as diffusers' attn_processors does", () => {
    expect(sites[0]).toEqual({ key: 1, modulePath: "down_blocks.1.attentions.0.transformer_blocks.0.attn2", width: 640, heads: 10 });
    expect(sites[4]).toMatchObject({ key: 9, modulePath: "down_blocks.2.attentions.0.transformer_blocks.0.attn2", width: 1280 });
    expect(sites[24]).toMatchObject({ key: 49, modulePath: "up_blocks.0.attentions.0.transformer_blocks.0.attn2" });
    expect(sites[54]).toMatchObject({ key: 109, modulePath: "up_blocks.1.attentions.0.transformer_blocks.0.attn2", width: 640 });
    expect(sites[60]).toMatchObject({ key: 121, modulePath: "mid_block.attentions.0.transformer_blocks.0.attn2", width: 1280 });
    expect(sites[69].modulePath).toBe("mid_block.attentions.0.transformer_blocks.9.attn2");
  });

  it("derives the keys from the description, not from SDXL", () => {
    const tiny = crossAttentionSites({
      downBlocks: [{ attentions: 1, transformerBlocks: 1, width: 32, heads: 2 }],
      upBlocks: [{ attentions: 2, transformerBlocks: 1, width: 32, heads: 2 }],
      midBlock: { attentions: 1, transformerBlocks: 1, width: 64, heads: 4 },
    });
    expect(tiny.map((s) => [s.key, s.modulePath])).toEqual([
      [1, "down_blocks.0.attentions.0.transformer_blocks.0.attn2"],
      [3, "up_blocks.0.attentions.0.transformer_blocks.0.attn2"],
      [5, "up_blocks.0.attentions.1.transformer_blocks.0.attn2"],
      [7, "mid_block.attentions.0.transformer_blocks.0.attn2"],
    ]);
  });
});
