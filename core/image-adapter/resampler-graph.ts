import { ErrorCode, InstantIdError } from "../errors.js";
import { float32Tensor, int64Tensor, intAttribute, intsAttribute, tensorValueInfo } from "../onnx/graph.js";
import type { OnnxModel, OnnxNode, OnnxTensor } from "../onnx/model.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ResamplerConfig } from "./resampler-config.js";

/** Graph input and output names of {@link resamplerGraph}. */
export const RESAMPLER_IO = { input: "embeddings", output: "image_tokens" } as const;

/** Nodes and initializers in the order they are added; every node has one output, named after it. */
class Builder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private count = 0;

  constructor(private readonly weights: ReadonlyMap<string, Tensor>) {}

  /** An `image_proj` weight as an initializer (its bytes are viewed, not copied, until the model is encoded). */
  weight(key: string, rows?: { from: number; to: number; width: number }): string {
    const t = this.weights.get(key);
    if (!t) throw new InstantIdError(ErrorCode.ModelInvalid, `The Resampler weights lack image_proj.${key}`);
    const name = rows ? `${key}[${rows.from}:${rows.to}]` : key;
    const data = rows ? t.data.subarray(rows.from * rows.width, rows.to * rows.width) : t.data;
    this.initializers.push({ ...float32Tensor(data, rows ? [rows.to - rows.from, rows.width] : [...t.shape]), name });
    return name;
  }

  ints(values: number[]): string {
    const name = `const_${this.count++}`;
    this.initializers.push({ ...int64Tensor(values.map(BigInt)), name });
    return name;
  }

  scalar(v: number): string {
    const name = `const_${this.count++}`;
    this.initializers.push({ ...float32Tensor(Float32Array.of(v), []), name });
    return name;
  }

  node(opType: string, inputs: string[], attributes?: OnnxNode["attribute"]): string {
    const name = `${opType}_${this.count++}`;
    this.nodes.push({ input: inputs, output: [name], name, opType, ...(attributes ? { attribute: attributes } : {}) });
    return name;
  }

  /** PyTorch Linear on rows [n, in]: Gemm with the [out, in] weight as it lies (transB), so no transposed copy. */
  linear(x: string, weight: string, bias?: string): string {
    return this.node("Gemm", bias ? [x, weight, bias] : [x, weight], [intAttribute("transB", 1)]);
  }

  layerNorm(x: string, prefix: string): string {
    return this.node("LayerNormalization", [x, this.weight(`${prefix}.weight`), this.weight(`${prefix}.bias`)], [intAttribute("axis", -1)]);
  }
}

/**
 * InstantID's perceiver Resampler (ip_adapter/resampler.py) as one ONNX graph whose initializers are
 * the checkpoint's `image_proj` weights: `embeddings` [B, N, embeddingDim] → `image_tokens`
 * [B, numQueries, outputDim]. Rows stay 2-D ([B·tokens, width]) so every Linear is one Gemm on the
 * weight as PyTorch stores it; attention per head as the reference computes it (q and k each scaled by
 * dim_head^-1/4, softmax in float32), erf GELU, LayerNorm eps 1e-5.
 */
export function resamplerGraph(weights: ReadonlyMap<string, Tensor>, config: ResamplerConfig): OnnxModel {
  const { dim, depth, heads, dimHead, numQueries, embeddingDim, outputDim } = config;
  const inner = heads * dimHead;
  const g = new Builder(weights);
  const input = RESAMPLER_IO.input;
  const batch = g.node("Slice", [g.node("Shape", [input]), g.ints([0]), g.ints([1])]);
  const shapeOf = (...rest: number[]) => g.node("Concat", [batch, g.ints(rest)], [intAttribute("axis", 0)]);
  const rows = (x: string, width: number) => g.node("Reshape", [x, g.ints([-1, width])]);
  const x = g.linear(rows(input, embeddingDim), g.weight("proj_in.weight"), g.weight("proj_in.bias"));
  let latents = rows(g.node("Expand", [g.weight("latents"), shapeOf(numQueries, dim)]), dim);
  const quarter = g.scalar(1 / Math.sqrt(Math.sqrt(dimHead)));
  const sqrtHalf = g.scalar(Math.SQRT1_2);
  const half = g.scalar(0.5);
  const one = g.scalar(1);
  const heads4 = (t: string, perm: number[]) =>
    g.node("Transpose", [g.node("Reshape", [t, shapeOf(-1, heads, dimHead)])], [intsAttribute("perm", perm)]);
  for (let i = 0; i < depth; i++) {
    const p = `layers.${i}`;
    const xNorm = g.layerNorm(x, `${p}.0.norm1`);
    const latentNorm = g.layerNorm(latents, `${p}.0.norm2`);
    const q = g.linear(latentNorm, g.weight(`${p}.0.to_q.weight`));
    const kvInput = rows(
      g.node(
        "Concat",
        [g.node("Reshape", [xNorm, shapeOf(-1, dim)]), g.node("Reshape", [latentNorm, shapeOf(-1, dim)])],
        [intAttribute("axis", 1)],
      ),
      dim,
    );
    const k = g.linear(kvInput, g.weight(`${p}.0.to_kv.weight`, { from: 0, to: inner, width: dim }));
    const v = g.linear(kvInput, g.weight(`${p}.0.to_kv.weight`, { from: inner, to: 2 * inner, width: dim }));
    const qh = g.node("Mul", [heads4(q, [0, 2, 1, 3]), quarter]);
    const kh = g.node("Mul", [heads4(k, [0, 2, 3, 1]), quarter]);
    const probs = g.node("Softmax", [g.node("MatMul", [qh, kh])], [intAttribute("axis", -1)]);
    const attended = g.node("Transpose", [g.node("MatMul", [probs, heads4(v, [0, 2, 1, 3])])], [intsAttribute("perm", [0, 2, 1, 3])]);
    latents = g.node("Add", [g.linear(rows(attended, inner), g.weight(`${p}.0.to_out.weight`)), latents]);
    const up = g.linear(g.layerNorm(latents, `${p}.1.0`), g.weight(`${p}.1.1.weight`));
    const gelu = g.node("Mul", [g.node("Mul", [up, half]), g.node("Add", [g.node("Erf", [g.node("Mul", [up, sqrtHalf])]), one])]);
    latents = g.node("Add", [g.linear(gelu, g.weight(`${p}.1.3.weight`)), latents]);
  }
  const projected = g.layerNorm(g.linear(latents, g.weight("proj_out.weight"), g.weight("proj_out.bias")), "norm_out");
  g.nodes.push({
    input: [projected, shapeOf(numQueries, outputDim)],
    output: [RESAMPLER_IO.output],
    name: "image_tokens",
    opType: "Reshape",
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    producerName: "instantid",
    graph: {
      name: "resampler",
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorValueInfo(input, ["batch", "count", embeddingDim])],
      output: [tensorValueInfo(RESAMPLER_IO.output, ["batch", numQueries, outputDim])],
    },
  };
}
