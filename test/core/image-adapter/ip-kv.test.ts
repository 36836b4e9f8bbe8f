import { describe, expect, it } from "vitest";
import { precomputeIpKV, projectIpTokens } from "../../../core/image-adapter/ip-kv.js";
import { assertClose } from "../../helpers/assert-close.js";
import type { UNetDescription } from "../../../core/image-adapter/unet-layout.js";
import type { ImageAdapterWeights } from "../../../core/image-adapter/weights.js";
import { tensor } from "../../../core/tensor/tensor.js";

const unet: UNetDescription = {
  downBlocks: [{ attentions: 1, transformerBlocks: 1, width: 2, heads: 1 }],
  upBlocks: [],
  midBlock: { attentions: 1, transformerBlocks: 1, width: 3, heads: 1 },
};

const weights = (keys: number[]): ImageAdapterWeights => ({
  imageProj: new Map(),
  ipLayers: new Map(
    keys.map((key) => {
      const width = key === 1 ? 2 : 3;
      return [
        key,
        {
          toK: tensor(
            [width, 2],
            Array.from({ length: width * 2 }, (_, i) => i + key),
          ),
          toV: tensor([width, 2], new Array(width * 2).fill(1)),
        },
      ];
    }),
  ),
});

describe("precomputeIpKV", () => {
  it("projects the tokens through each layer's to_k_ip / to_v_ip, keyed by processor key with module path", async () => {
    const tokens = tensor([1, 2, 2], [1, 0, 0, 1]);
    const kv = await precomputeIpKV(weights([1, 3]), tokens, unet);
    expect([...kv.keys()]).toEqual([1, 3]);
    const first = kv.get(1)!;
    expect(first.modulePath).toBe("down_blocks.0.attentions.0.transformer_blocks.0.attn2");
    // W_k rows [1, 2] and [3, 4]: token [1, 0] → [1, 3]; token [0, 1] → [2, 4]
    expect(first.k).toEqual({ shape: [1, 2, 2], data: Float32Array.of(1, 3, 2, 4) });
    expect(first.v.data).toEqual(Float32Array.of(1, 1, 1, 1));
    expect(kv.get(3)!.k.shape).toEqual([1, 2, 3]);
  });

  it("says which processor key the checkpoint lacks for this UNet", async () => {
    await expect(precomputeIpKV(weights([1]), tensor([1, 2, 2]), unet)).rejects.toThrow(/no projections for processor key 3 \(mid_block/);
  });

  it("refuses projections whose width does not match the UNet layer", async () => {
    const bad = weights([1, 3]);
    (bad.ipLayers as Map<number, unknown>).set(3, { toK: tensor([4, 2]), toV: tensor([4, 2]) });
    await expect(precomputeIpKV(bad, tensor([1, 2, 2]), unet)).rejects.toThrow(/ip_adapter\.3\.to_k_ip\.weight has shape \[4, 2\]/);
  });
});

describe("precomputeIpKV on ONNX Runtime's Gemm", () => {
  it("matches the WebAssembly kernel's projection within float32 rounding", async () => {
    const width = 64;
    const layer = {
      toK: tensor(
        [width, 48],
        Array.from({ length: width * 48 }, (_, i) => Math.sin(i) / 7),
      ),
      toV: tensor(
        [width, 48],
        Array.from({ length: width * 48 }, (_, i) => Math.cos(i) / 7),
      ),
    };
    const wide: UNetDescription = {
      downBlocks: [{ attentions: 1, transformerBlocks: 1, width, heads: 1 }],
      upBlocks: [],
      midBlock: { attentions: 0, transformerBlocks: 0, width: 0, heads: 0 },
    };
    const tokens = tensor(
      [2, 16, 48],
      Array.from({ length: 2 * 16 * 48 }, (_, i) => Math.sin(i * 0.37)),
    );
    const kv = await precomputeIpKV({ imageProj: new Map(), ipLayers: new Map([[1, layer]]) }, tokens, wide);
    const expected = projectIpTokens(layer, tokens);
    assertClose(kv.get(1)!.k.data, expected.k.data, { abs: 1e-5, rel: 1e-5 }, "K");
    assertClose(kv.get(1)!.v.data, expected.v.data, { abs: 1e-5, rel: 1e-5 }, "V");
  });
});
