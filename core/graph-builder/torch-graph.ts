import { float32Tensor, int64Tensor, intAttribute, tensorValueInfo } from "../onnx/graph.js";
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from "../onnx/model.js";
import { attentionCore, type AttentionStyle } from "./attention-styles.js";
import type { AttentionParams } from "./layer-weights.js";
import type { GraphOps } from "./graph-ops.js";

/** Weights of one attention module in PyTorch Linear layout [out, in]. */
export interface AttentionWeights {
  readonly toQ: Float32Array;
  readonly toK: Float32Array;
  readonly toV: Float32Array;
  readonly toOut: Float32Array;
  readonly toOutBias: Float32Array;
}

/**
 * Builds ONNX graphs the way `torch.onnx.export` writes diffusers modules: node names scoped by module
 * path (`/down_blocks.1/attentions.0/transformer_blocks.0/attn2/to_q/MatMul`), dynamic head reshapes
 * computed from Shape/Gather, MatMul → Mul → Softmax → MatMul attention. For tests and benchmarks.
 */
export class TorchGraph implements GraphOps {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  /** When set, weights are recorded as external data in this file, at consecutive offsets. */
  externalFile?: string;
  externalBytes = 0;
  /** External weights in file order (see {@link TorchGraph.writeExternal}); empty in virtual mode. */
  readonly externalChunks: Float32Array[] = [];
  /** Record external weights by size only: their data is never needed (e.g. to measure patching). */
  virtual = false;
  /** How {@link TorchGraph.attention} writes the attention core (see {@link AttentionStyle}). */
  attentionStyle: AttentionStyle = "split-heads";
  private counter = 0;

  /** Declares a graph input (float32 unless `elemType` says otherwise); strings in `dims` are symbolic sizes. */
  input(name: string, dims: (number | string)[], elemType = 1): string {
    this.inputs.push(tensorValueInfo(name, dims, elemType));
    return name;
  }

  /** Declares a float32 graph output. */
  output(name: string, dims: (number | string)[]): void {
    this.outputs.push(tensorValueInfo(name, dims));
  }

  /** A float32 weight [in, out] for MatMul from a PyTorch [out, in] Linear weight. */
  linear(name: string, weight: Float32Array, out: number, inDim: number): string {
    if (this.virtual) return this.weight(name, weight, [inDim, out]);
    const t = new Float32Array(out * inDim);
    for (let o = 0; o < out; o++) for (let i = 0; i < inDim; i++) t[i * out + o] = weight[o * inDim + i];
    return this.weight(name, t, [inDim, out]);
  }

  /** A float32 initializer (inline, or recorded as external data when {@link externalFile} is set). */
  weight(name: string, data: Float32Array, dims: number[]): string {
    if (!this.externalFile) {
      this.initializers.push({ ...float32Tensor(data, dims), name });
      return name;
    }
    const length = dims.reduce((a, b) => a * b, 1) * 4;
    if (!this.virtual) this.externalChunks.push(data);
    this.initializers.push({
      name,
      dims,
      dataType: 1,
      dataLocation: 1,
      externalData: [
        { key: "location", value: this.externalFile },
        { key: "offset", value: String(this.externalBytes) },
        { key: "length", value: String(length) },
      ],
    });
    this.externalBytes += length;
    return name;
  }

  /** An int64 Constant node in `scope`, named as torch names them. */
  constant(scope: string, values: bigint[], dims: number[] = [values.length]): string {
    const output = `${scope}/Constant_${this.counter++}_output_0`;
    this.nodes.push({
      input: [],
      output: [output],
      name: output.replace(/_output_0$/, ""),
      opType: "Constant",
      attribute: [{ name: "value", type: 4, t: int64Tensor(values, dims) }],
    });
    return output;
  }

  /** Appends a node named `name` with one output `<name>_output_0`. */
  node(opType: string, inputs: string[], name: string, attributes?: OnnxAttribute[], domain?: string): string {
    const output = `${name}_output_0`;
    this.nodes.push({
      input: inputs,
      output: [output],
      name,
      opType,
      ...(attributes ? { attribute: attributes } : {}),
      ...(domain ? { domain } : {}),
    });
    return output;
  }

  /** `base_<n>`, a node name not used before (torch numbers repeated ops in a scope the same way). */
  unique(base: string): string {
    return `${base}_${this.counter++}`;
  }

  /**
   * diffusers `Attention`: returns to_out(softmax(q kᵀ/√d) v) for `x` [B, N, width] and `context` [B, L, ctx] (self-attention without
   * context).
   */
  attention(
    scope: string,
    x: string,
    context: string | undefined,
    width: number,
    contextDim: number,
    heads: number,
    w: AttentionWeights,
  ): string {
    const kvDim = context ? contextDim : width;
    return this.attend(scope, x, context, width, heads, {
      toQ: this.linear(`${scope}.to_q.weight`, w.toQ, width, width),
      toK: this.linear(`${scope}.to_k.weight`, w.toK, width, kvDim),
      toV: this.linear(`${scope}.to_v.weight`, w.toV, width, kvDim),
      toOut: this.linear(`${scope}.to_out.0.weight`, w.toOut, width, width),
      toOutBias: this.weight(`${scope}.to_out.0.bias`, w.toOutBias, [width]),
    });
  }

  /** {@link attention} over projections already in the graph (MatMul layout [in, out]). */
  attend(scope: string, x: string, context: string | undefined, width: number, heads: number, p: AttentionParams): string {
    const s = scopePath(scope);
    const kv = context ?? x;
    const q = this.node("MatMul", [x, p.toQ], `${s}/to_q/MatMul`);
    const k = this.node("MatMul", [kv, p.toK], `${s}/to_k/MatMul`);
    const v = this.node("MatMul", [kv, p.toV], `${s}/to_v/MatMul`);
    const back = attentionCore(this, this.attentionStyle, { scope: s, module: scope, q, k, v, width, heads });
    const out = this.node("MatMul", [back, p.toOut], `${s}/to_out.0/MatMul`);
    return this.node("Add", [p.toOutBias, out], `${s}/to_out.0/Add`);
  }

  /** Writes the external weights to `path` (or, in virtual mode, a sparse file of the right size). */
  async writeExternal(path: string): Promise<void> {
    const { open } = await import("node:fs/promises");
    const file = await open(path, "w");
    try {
      if (this.virtual) await file.truncate(this.externalBytes);
      for (const chunk of this.externalChunks) await file.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } finally {
      await file.close();
    }
  }

  /** The ModelProto (opset 17, IR 8); `about` becomes the model's doc string, `metadata` its metadata props. */
  model(about?: { name?: string; docString?: string; metadata?: Record<string, string> }): OnnxModel {
    const model: OnnxModel & { docString?: string } = {
      irVersion: 8,
      opsetImport: [
        { domain: "", version: 17 },
        ...(this.nodes.some((n) => n.domain === "com.microsoft") ? [{ domain: "com.microsoft", version: 1 }] : []),
      ],
      producerName: "instantid-tests",
      graph: {
        node: this.nodes,
        name: about?.name ?? "torch_graph",
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    if (about?.docString) model.docString = about.docString;
    if (about?.metadata) model.metadataProps = Object.entries(about.metadata).map(([key, value]) => ({ key, value }));
    return model;
  }

  /** `tensor.shape[axis]` as a 1-D int64 tensor [1] (Shape → Gather → Unsqueeze, as torch writes it). */
  dim(scope: string, tensor: string, axis: number): string {
    return this.unsqueeze(scope, this.scalarDim(scope, tensor, axis));
  }

  /** `tensor.shape[axis]` as a scalar int64 (Shape → Gather). */
  scalarDim(scope: string, tensor: string, axis: number): string {
    const shape = this.node("Shape", [tensor], `${scope}/Shape_${this.counter++}`);
    return this.node("Gather", [shape, this.constant(scope, [BigInt(axis)], [])], `${scope}/Gather_${this.counter++}`, [
      intAttribute("axis", 0),
    ]);
  }

  /** A scalar made 1-D [1]. */
  unsqueeze(scope: string, scalar: string): string {
    return this.node("Unsqueeze", [scalar, this.constant(scope, [0n])], `${scope}/Unsqueeze_${this.counter++}`);
  }
}

/** The node-name prefix torch gives a module: `down_blocks.1.attentions.0` → `/down_blocks.1/attentions.0`. */
export function scopePath(module: string): string {
  return `/${module.replaceAll(".", "/").replace(/\/(\d+)/g, ".$1")}`;
}
