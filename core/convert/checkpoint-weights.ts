import { intAttribute, intsAttribute } from "../onnx/graph.js";
import { OnnxDataType, type OnnxTensor } from "../onnx/model.js";
import type { AffineParams, AttentionParams, ConvParams, LayerWeights, LinearParams } from "../graph-builder/layer-weights.js";
import type { TorchGraph } from "../graph-builder/torch-graph.js";

/** The element type of converted weights: half the size, or float32. The graph computes in float32 either way. */
export type WeightDType = "fp16" | "fp32";

/** One checkpoint tensor's place in the converted model's external data. */
export interface PlannedTensor {
  /** Its key in diffusers' state dict, also its initializer name. */
  readonly key: string;
  /** The shape the checkpoint must have (PyTorch layout). */
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

/**
 * Layer parameters that point into an external data file, to be filled from a checkpoint: each request
 * records which state-dict key goes where (in request order, back to back), so the weights can be streamed
 * tensor by tensor afterwards, as they are. fp16 weights are read through a Cast to float32; Linear weights
 * keep PyTorch's [out, in] layout and reach MatMul through a Transpose, which ONNX Runtime folds once
 * when it loads the model — transposing a billion elements in JavaScript would cost most of a conversion.
 */
export class CheckpointLayerWeights implements LayerWeights {
  readonly plan: PlannedTensor[] = [];
  private bytes = 0;
  /** Each planned tensor's external-data references, to re-point them when the data file is laid out otherwise. */
  private readonly references = new Map<string, OnnxTensor["externalData"]>();

  constructor(
    private readonly dtype: WeightDType,
    /** The data file's name, relative to the model. */
    private readonly location: string,
  ) {}

  /** Total bytes of the external data file. */
  get dataBytes(): number {
    return this.bytes;
  }

  linear(graph: TorchGraph, module: string, inDim: number, outDim: number, bias: boolean): LinearParams {
    const weight = this.transposed(graph, `${module}.weight`, [outDim, inDim]);
    return bias ? { weight, bias: this.param(graph, `${module}.bias`, [outDim], [outDim]) } : { weight };
  }

  conv(graph: TorchGraph, module: string, inChannels: number, outChannels: number, kernel: number): ConvParams {
    const shape = [outChannels, inChannels, kernel, kernel];
    return {
      weight: this.param(graph, `${module}.weight`, shape, shape),
      bias: this.param(graph, `${module}.bias`, [outChannels], [outChannels]),
    };
  }

  affine(graph: TorchGraph, module: string, channels: number, dims: number[]): AffineParams {
    return { weight: this.param(graph, `${module}.weight`, [channels], dims), bias: this.param(graph, `${module}.bias`, [channels], dims) };
  }

  attention(graph: TorchGraph, module: string, width: number, contextDim: number): AttentionParams {
    const project = (name: string, inDim: number) => this.transposed(graph, `${module}.${name}.weight`, [width, inDim]);
    return {
      toQ: project("to_q", width),
      toK: project("to_k", contextDim),
      toV: project("to_v", contextDim),
      toOut: project("to_out.0", width),
      toOutBias: this.param(graph, `${module}.to_out.0.bias`, [width], [width]),
    };
  }

  /**
   * Re-points every planned tensor at `offsetOf(key)` in a data file of `dataBytes` bytes, in place of the
   * back-to-back layout in request order: the checkpoint itself as the data file (each tensor where its header
   * puts it), or the checkpoint's order (read and written front to back).
   */
  placeAt(offsetOf: (key: string) => number, dataBytes: number): void {
    for (const [index, tensor] of this.plan.entries()) {
      const offset = offsetOf(tensor.key);
      this.plan[index] = { ...tensor, offset };
      for (const entry of this.references.get(tensor.key) ?? []) if (entry.key === "offset") entry.value = String(offset);
    }
    this.bytes = dataBytes;
  }

  /** A Linear weight [out, in] as MatMul's [in, out]. */
  private transposed(graph: TorchGraph, key: string, shape: number[]): string {
    return graph.node("Transpose", [this.param(graph, key, shape, shape)], `/${key}/Transpose`, [intsAttribute("perm", [1, 0])]);
  }

  private param(graph: TorchGraph, key: string, shape: number[], dims: number[]): string {
    const length = shape.reduce((a, b) => a * b, 1) * (this.dtype === "fp16" ? 2 : 4);
    const externalData = [
      { key: "location", value: this.location },
      { key: "offset", value: String(this.bytes) },
      { key: "length", value: String(length) },
    ];
    graph.initializers.push({
      name: key,
      dims,
      dataType: this.dtype === "fp16" ? OnnxDataType.Float16 : OnnxDataType.Float,
      dataLocation: 1,
      externalData,
    });
    this.references.set(key, externalData);
    this.plan.push({ key, shape, offset: this.bytes, length });
    this.bytes += length;
    if (this.dtype === "fp32") return key;
    return graph.node("Cast", [key], `/${key}/Cast`, [intAttribute("to", OnnxDataType.Float)]);
  }
}
