import { ErrorCode, InstantIdError } from "../errors.js";
import { assertShape, type Tensor } from "../tensor/tensor.js";
import { pinWeights } from "./gemm-wasm.js";
import { linear } from "./linear.js";
import { attendHeads } from "./multi-head-attention.js";
import { addInPlace, geluInPlace, layerNorm } from "./ops.js";
import { inferResamplerConfig, type ResamplerConfig, type ResamplerConfigOptions } from "./resampler-config.js";

interface Norm {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

interface Layer {
  readonly norm1: Norm;
  readonly norm2: Norm;
  readonly toQ: Float32Array;
  readonly toKv: Float32Array;
  readonly toOut: Float32Array;
  readonly ffNorm: Norm;
  readonly ffUp: Float32Array;
  readonly ffDown: Float32Array;
}

/**
 * InstantID's perceiver Resampler: face embeddings [B, N, 512] → image tokens [B, 16, 2048].
 * Per layer: LayerNorm of inputs and latents, q from the latents, k/v from [inputs; latents],
 * dim_head^-1/4 on q and k, softmax, residual; then LayerNorm → Linear → erf GELU → Linear, residual;
 * finally proj_out and norm_out.
 */
export class Resampler {
  private constructor(
    readonly config: ResamplerConfig,
    private readonly latents: Float32Array,
    private readonly projIn: { weight: Float32Array; bias: Float32Array },
    private readonly projOut: { weight: Float32Array; bias: Float32Array },
    private readonly normOut: Norm,
    private readonly layers: readonly Layer[],
  ) {}

  /**
   * Builds the Resampler from `image_proj` weights (keys without the prefix), configuration inferred
   * from shapes. Large weights are pinned in the SIMD kernel's memory (copied once; do not modify them).
   */
  static fromWeights(weights: ReadonlyMap<string, Tensor>, options: ResamplerConfigOptions = {}): Resampler {
    const config = inferResamplerConfig(weights, options);
    const get = (name: string) => weights.get(name)!.data;
    const need = (name: string) => {
      if (!weights.has(name)) throw new InstantIdError(ErrorCode.ModelInvalid, `The Resampler weights lack image_proj.${name}`);
      return get(name);
    };
    const norm = (prefix: string): Norm => ({ weight: need(`${prefix}.weight`), bias: need(`${prefix}.bias`) });
    const layers: Layer[] = [];
    for (let i = 0; i < config.depth; i++) {
      const p = `layers.${i}`;
      layers.push({
        norm1: norm(`${p}.0.norm1`),
        norm2: norm(`${p}.0.norm2`),
        toQ: need(`${p}.0.to_q.weight`),
        toKv: need(`${p}.0.to_kv.weight`),
        toOut: need(`${p}.0.to_out.weight`),
        ffNorm: norm(`${p}.1.0`),
        ffUp: need(`${p}.1.1.weight`),
        ffDown: need(`${p}.1.3.weight`),
      });
    }
    for (const layer of layers) {
      pinWeights(layer.toQ, config.heads * config.dimHead);
      pinWeights(layer.toKv, 2 * config.heads * config.dimHead);
      pinWeights(layer.toOut, config.dim);
      pinWeights(layer.ffUp, config.ffInner);
      pinWeights(layer.ffDown, config.dim);
    }
    return new Resampler(config, need("latents"), norm("proj_in"), norm("proj_out"), norm("norm_out"), layers);
  }

  /** Image tokens [B, numQueries, outputDim] for embeddings [B, N, embeddingDim]. */
  run(embeddings: Tensor): Tensor {
    const { dim, numQueries, embeddingDim, outputDim } = this.config;
    assertShape(embeddings, [-1, -1, embeddingDim], "Resampler input (face embeddings [batch, count, dim])");
    const [batch, count] = embeddings.shape;
    const x = linear(embeddings.data, batch * count, this.projIn.weight, dim, this.projIn.bias);
    let latents: Float32Array = new Float32Array(batch * numQueries * dim);
    for (let b = 0; b < batch; b++) latents.set(this.latents, b * numQueries * dim);
    for (const layer of this.layers) {
      addInPlace(latents, this.attention(layer, x, latents, batch, count));
      latents = this.feedForward(layer, latents);
    }
    const projected = linear(latents, batch * numQueries, this.projOut.weight, outputDim, this.projOut.bias);
    return { shape: [batch, numQueries, outputDim], data: layerNorm(projected, batch * numQueries, this.normOut.weight, this.normOut.bias) };
  }

  private attention(layer: Layer, x: Float32Array, latents: Float32Array, batch: number, count: number): Float32Array {
    const { dim, numQueries, heads, dimHead } = this.config;
    const inner = heads * dimHead;
    const tokens = count + numQueries;
    const xNorm = layerNorm(x, batch * count, layer.norm1.weight, layer.norm1.bias);
    const latentNorm = layerNorm(latents, batch * numQueries, layer.norm2.weight, layer.norm2.bias);
    const q = linear(latentNorm, batch * numQueries, layer.toQ, inner);
    const kvInput = new Float32Array(batch * tokens * dim);
    for (let b = 0; b < batch; b++) {
      kvInput.set(xNorm.subarray(b * count * dim, (b + 1) * count * dim), b * tokens * dim);
      kvInput.set(latentNorm.subarray(b * numQueries * dim, (b + 1) * numQueries * dim), (b * tokens + count) * dim);
    }
    const kv = linear(kvInput, batch * tokens, layer.toKv, 2 * inner);
    const attended = new Float32Array(batch * numQueries * inner);
    for (let b = 0; b < batch; b++) {
      const qs = { data: q, row: b * numQueries, stride: inner, offset: 0 };
      const ks = { data: kv, row: b * tokens, stride: 2 * inner, offset: 0 };
      const vs = { data: kv, row: b * tokens, stride: 2 * inner, offset: inner };
      attendHeads(qs, ks, vs, numQueries, tokens, heads, dimHead, 1 / Math.sqrt(dimHead), attended, b * numQueries);
    }
    return linear(attended, batch * numQueries, layer.toOut, dim);
  }

  private feedForward(layer: Layer, latents: Float32Array): Float32Array {
    const { dim, ffInner } = this.config;
    const rows = latents.length / dim;
    const hidden = geluInPlace(linear(layerNorm(latents, rows, layer.ffNorm.weight, layer.ffNorm.bias), rows, layer.ffUp, ffInner));
    return addInPlace(linear(hidden, rows, layer.ffDown, dim), latents);
  }
}
