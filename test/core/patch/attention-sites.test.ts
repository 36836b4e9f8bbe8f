import { describe, expect, it } from "vitest";
import { encodeModel } from "../../../core/onnx/index.js";
import { patchImageAdapter } from "../../../core/patch/index.js";
import type { AttentionStyle } from "../../../core/graph-builder/attention-styles.js";
import { buildSyntheticUnet } from "../../../core/synthetic/unet.js";
import { anonymize } from "../../helpers/anonymize.js";
import { assertClose } from "../../helpers/assert-close.js";
import {
  imageAttentionFeeds,
  MICRO_UNET,
  outSamples,
  residualFeeds,
  syntheticAdapterWeights,
  unetFeeds,
} from "../../helpers/synthetic-unet.js";

// The same weights in each export style: "split-heads" is the layout the golden/adapter and golden/unet checks pin.
const unet = (attention: AttentionStyle) => buildSyntheticUnet(MICRO_UNET, {}, { attention });
const feeds = (scale: number) => ({
  ...unetFeeds(MICRO_UNET, 8, 8),
  ...residualFeeds(MICRO_UNET, 8, 8),
  ...imageAttentionFeeds(MICRO_UNET, scale),
});

const SCALES = [0, 0.7];

describe("findCrossAttention in the exports people have", () => {
  const adapter = syntheticAdapterWeights(MICRO_UNET);
  // The split-heads reference is the same for every style below: patched and run (one session, both scales) once.
  let referenceMade: Promise<{ blocks: Awaited<ReturnType<typeof patchImageAdapter>>["blocks"]; outputs: Float32Array[] }> | undefined;
  const splitHeadsReference = () => {
    referenceMade ??= patchImageAdapter(encodeModel(unet("split-heads")), adapter).then(async ({ blocks, bytes }) => ({
      blocks,
      outputs: await outSamples(bytes!, SCALES.map(feeds)),
    }));
    return referenceMade;
  };

  it("the reference layout: split heads, MatMul → Mul → Softmax → MatMul", async () => {
    const { blocks } = await splitHeadsReference();
    expect(blocks.map((b) => `${b.key} ${b.module}`)).toEqual([
      "1 down_blocks.1.attentions.0.transformer_blocks.0.attn2",
      "3 down_blocks.1.attentions.1.transformer_blocks.0.attn2",
      "5 down_blocks.2.attentions.0.transformer_blocks.0.attn2",
      "7 down_blocks.2.attentions.1.transformer_blocks.0.attn2",
      "9 up_blocks.0.attentions.0.transformer_blocks.0.attn2",
      "11 up_blocks.0.attentions.1.transformer_blocks.0.attn2",
      "13 up_blocks.0.attentions.2.transformer_blocks.0.attn2",
      "15 up_blocks.1.attentions.0.transformer_blocks.0.attn2",
      "17 up_blocks.1.attentions.1.transformer_blocks.0.attn2",
      "19 up_blocks.1.attentions.2.transformer_blocks.0.attn2",
      "21 mid_block.attentions.0.transformer_blocks.0.attn2",
    ]);
  });

  for (const [attention, what] of [
    ["attn-processor", "diffusers' AttnProcessor as torch exports it (heads folded into the batch, baddbmm's MatMul + Mul + zero term)"],
    ["sdpa", "diffusers' AttnProcessor2_0 as torch exports F.scaled_dot_product_attention (√scale on q and kᵀ)"],
    ["fused", "ONNX Runtime's fused com.microsoft MultiHeadAttention"],
  ] as const) {
    it(`${what}: the same blocks in the same order, and the same image attention`, async () => {
      const reference = await splitHeadsReference();
      const patched = await patchImageAdapter(encodeModel(unet(attention)), adapter);
      const anonymous = await patchImageAdapter(encodeModel(anonymize(unet(attention))), adapter);
      const order = (blocks: typeof patched.blocks) => blocks.map((b) => `${b.key} ${b.section} ${b.width}`);
      expect(order(patched.blocks)).toEqual(order(reference.blocks));
      expect(order(anonymous.blocks)).toEqual(order(reference.blocks));
      expect(patched.blocks.map((b) => b.module)).toEqual(reference.blocks.map((b) => b.module));
      expect(new Set(patched.blocks.map((b) => b.style))).toEqual(new Set([attention === "fused" ? "fused" : "decomposed"]));
      const outputs = await outSamples(patched.bytes!, SCALES.map(feeds));
      SCALES.forEach((scale, i) =>
        assertClose(outputs[i], reference.outputs[i], { abs: 1e-5, rel: 1e-4 }, `${attention} at scale ${scale}`),
      );
    });
  }
});
