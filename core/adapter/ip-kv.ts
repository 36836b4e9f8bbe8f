import { ErrorCode, InstantIdError } from "../errors.js";
import { assertShape, type Tensor } from "../tensor/tensor.js";
import { ortLinear } from "./gemm-ort.js";
import { linear } from "./linear.js";
import { crossAttentionSites, SDXL_UNET, type CrossAttentionSite, type UNetDescription } from "./unet-layout.js";
import type { ImageAdapterWeights, IpLayerWeights } from "./weights.js";

/** The precomputed image keys and values of one cross-attention layer. */
export interface IpLayerKV extends CrossAttentionSite {
  /** K_ip = tokens · W_k_ipᵀ, [B, tokens, width]. */
  readonly k: Tensor;
  /** V_ip = tokens · W_v_ipᵀ, [B, tokens, width]. */
  readonly v: Tensor;
}

/**
 * K_ip and V_ip of every cross-attention layer for image tokens [B, 16, ctx]: computed once per
 * generation (they do not depend on the step), keyed by processor key, each with its module path.
 * Every layer is checked before any product runs. The products run on ONNX Runtime's SGEMM with
 * the weights read in place (each weight streamed once for all B·16 token rows).
 *
 * @example
 * const kv = await precomputeIpKV(weights, tokens); // SDXL: 70 layers, keys 1, 3, ..., 139
 * kv.get(1)?.modulePath; // "down_blocks.1.attentions.0.transformer_blocks.0.attn2"
 */
export async function precomputeIpKV(weights: ImageAdapterWeights, tokens: Tensor, unet: UNetDescription = SDXL_UNET): Promise<Map<number, IpLayerKV>> {
  assertShape(tokens, [-1, -1, -1], "image tokens [batch, tokens, dim]");
  const ctx = tokens.shape[2];
  const layers = crossAttentionSites(unet).map((site) => {
    const layer = weights.ipLayers.get(site.key);
    if (!layer) {
      throw new InstantIdError(ErrorCode.ModelInvalid, `The Image Adapter has no projections for processor key ${site.key} (${site.modulePath}); the checkpoint does not match this UNet (it has keys ${[...weights.ipLayers.keys()].slice(0, 6).join(", ")}...)`);
    }
    assertShape(layer.toK, [site.width, ctx], `ip_adapter.${site.key}.to_k_ip.weight`);
    assertShape(layer.toV, [site.width, ctx], `ip_adapter.${site.key}.to_v_ip.weight`);
    return { site, layer };
  });
  const [batch, count] = tokens.shape;
  const rows = batch * count;
  const out = new Map<number, IpLayerKV>();
  for (const { site, layer } of layers) {
    const shape = [batch, count, site.width];
    const k = await ortLinear(tokens.data, rows, layer.toK.data, site.width);
    const v = await ortLinear(tokens.data, rows, layer.toV.data, site.width);
    out.set(site.key, { ...site, k: { shape, data: k }, v: { shape, data: v } });
  }
  return out;
}

/** K_ip and V_ip of one layer: image tokens [B, T, ctx] through its to_k_ip / to_v_ip projections. */
export function projectIpTokens(layer: IpLayerWeights, tokens: Tensor): { k: Tensor; v: Tensor } {
  const [batch, count] = tokens.shape;
  const [width] = layer.toK.shape;
  const rows = batch * count;
  return {
    k: { shape: [batch, count, width], data: linear(tokens.data, rows, layer.toK.data, width) },
    v: { shape: [batch, count, width], data: linear(tokens.data, rows, layer.toV.data, width) },
  };
}
