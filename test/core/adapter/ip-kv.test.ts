import { describe, expect, it } from "vitest";
import { precomputeIpKV } from "../../../core/adapter/ip-kv.js";
import type { UNetDescription } from "../../../core/adapter/unet-layout.js";
import type { ImageAdapterWeights } from "../../../core/adapter/weights.js";
import { tensor } from "../../../core/tensor/tensor.js";

const unet: UNetDescription = {
  downBlocks: [{ attentions: 1, transformerBlocks: 1, width: 2, heads: 1 }],
  upBlocks: [],
  midBlock: { attentions: 1, transformerBlocks: 1, width: 3, heads: 1 },
};

const weights = (keys: number[]): ImageAdapterWeights => ({
  imageProj: new Map(),
  ipLayers: new Map(keys.map((key) => {
    const width = key === 1 ? 2 : 3;
    return [key, { toK: tensor([width, 2], Array.from({ length: width * 2 }, (_, i) => i + key)), toV: tensor([width, 2], new Array(width * 2).fill(1)) }];
  })),
});

describe("precomputeIpKV", () => {
  it("projects the tokens through each layer's to_k_ip / to_v_ip, keyed by processor key with module path", () => {
    const tokens = tensor([1, 2, 2], [1, 0, 0, 1]);
    const kv = precomputeIpKV(weights([1, 3]), tokens, unet);
    expect([...kv.keys()]).toEqual([1, 3]);
    const first = kv.get(1)!;
    expect(first.modulePath).toBe("down_blocks.0.attentions.0.transformer_blocks.0.attn2");
    // W_k rows [1, 2] and [3, 4]: token [1, 0] → [1, 3]; token [0, 1] → [2, 4]
    expect(first.k).toEqual({ shape: [1, 2, 2], data: Float32Array.of(1, 3, 2, 4) });
    expect(first.v.data).toEqual(Float32Array.of(1, 1, 1, 1));
    expect(kv.get(3)!.k.shape).toEqual([1, 2, 3]);
  });

  it("says which processor key the checkpoint lacks for this UNet", () => {
    expect(() => precomputeIpKV(weights([1]), tensor([1, 2, 2]), unet)).toThrow(/no projections for processor key 3 \(mid_block/);
  });

  it("refuses projections whose width does not match the UNet layer", () => {
    const bad = weights([1, 3]);
    (bad.ipLayers as Map<number, unknown>).set(3, { toK: tensor([4, 2]), toV: tensor([4, 2]) });
    expect(() => precomputeIpKV(bad, tensor([1, 2, 2]), unet)).toThrow(/ip_adapter\.3\.to_k_ip\.weight has shape \[4, 2\]/);
  });
});
