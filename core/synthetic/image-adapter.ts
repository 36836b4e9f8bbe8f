import { crossAttentionSites } from "../image-adapter/unet-layout.js";
import type { Tensor } from "../tensor/tensor.js";
import { RandomWeights } from "../graph-builder/random-weights.js";
import { describeSyntheticUnet, type SyntheticUnetConfig } from "./unet-config.js";

/** The Resampler of a synthetic Image Adapter (InstantID: dim 1280, depth 4, 20 heads of 64, ff × 4). */
export interface SyntheticResamplerConfig {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly dimHead: number;
  readonly ffMult: number;
  readonly numQueries: number;
  readonly embeddingDim: number;
}

/**
 * A small Resampler for the tiny models: dim 64, one layer, one head of 64 (the split loadImageAdapter infers), 16 queries from a 512-d
 * embedding.
 */
export const TINY_RESAMPLER: SyntheticResamplerConfig = {
  dim: 64,
  depth: 1,
  heads: 1,
  dimHead: 64,
  ffMult: 2,
  numQueries: 16,
  embeddingDim: 512,
};

/**
 * An Image Adapter state dict with seeded random weights, keyed as InstantID's `ip-adapter.bin`:
 * `image_proj.*` (the Resampler, keys as ip_adapter/resampler.py names them) and
 * `ip_adapter.<k>.to_{k,v}_ip.weight` [width, contextDim] for every cross-attention processor key k of
 * the synthetic UNet, in diffusers order. Pass the result to `writeTorchSave`.
 */
export function syntheticImageAdapter(
  unet: SyntheticUnetConfig,
  resampler: SyntheticResamplerConfig = TINY_RESAMPLER,
): Record<string, Record<string, Tensor>> {
  const random = new RandomWeights(unet.seed + 3000);
  const t = (shape: number[], data: Float32Array): Tensor => ({ shape, data });
  const lin = (out: number, inDim: number) => t([out, inDim], random.fanIn(out * inDim, inDim));
  const norm = (prefix: string, width: number, into: Record<string, Tensor>) => {
    into[`${prefix}.weight`] = t([width], new Float32Array(width).fill(1));
    into[`${prefix}.bias`] = t([width], new Float32Array(width));
  };
  const { dim, depth, heads, dimHead, ffMult, numQueries, embeddingDim } = resampler;
  const inner = heads * dimHead;
  const imageProj: Record<string, Tensor> = {
    latents: t([1, numQueries, dim], random.gaussian(numQueries * dim, 1 / Math.sqrt(dim))),
    "proj_in.weight": lin(dim, embeddingDim),
    "proj_in.bias": t([dim], random.bias(dim)),
  };
  for (let i = 0; i < depth; i++) {
    const p = `layers.${i}`;
    norm(`${p}.0.norm1`, dim, imageProj);
    norm(`${p}.0.norm2`, dim, imageProj);
    imageProj[`${p}.0.to_q.weight`] = lin(inner, dim);
    imageProj[`${p}.0.to_kv.weight`] = lin(2 * inner, dim);
    imageProj[`${p}.0.to_out.weight`] = lin(dim, inner);
    norm(`${p}.1.0`, dim, imageProj);
    imageProj[`${p}.1.1.weight`] = lin(dim * ffMult, dim);
    imageProj[`${p}.1.3.weight`] = lin(dim, dim * ffMult);
  }
  imageProj["proj_out.weight"] = lin(unet.contextDim, dim);
  imageProj["proj_out.bias"] = t([unet.contextDim], random.bias(unet.contextDim));
  norm("norm_out", unet.contextDim, imageProj);
  const ipAdapter: Record<string, Tensor> = {};
  for (const site of crossAttentionSites(describeSyntheticUnet(unet))) {
    ipAdapter[`${site.key}.to_k_ip.weight`] = lin(site.width, unet.contextDim);
    ipAdapter[`${site.key}.to_v_ip.weight`] = lin(site.width, unet.contextDim);
  }
  return { image_proj: imageProj, ip_adapter: ipAdapter };
}
