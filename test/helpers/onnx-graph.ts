import { encodeModel, OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from "../../core/onnx/model.js";

/** Builds small float32 ONNX graphs from plain operators, with deterministic pseudo-random weights. */
export class GraphBuilder {
  /** The graph being built. */
  readonly graph: OnnxGraph = { node: [], initializer: [], input: [], output: [] };
  private count = 0;
  private seed = 1;

  /** Declares a graph input. */
  input(name: string, dims: (number | string)[]): string {
    this.graph.input.push(valueInfo(name, dims));
    return name;
  }

  /** Declares a graph output. */
  output(name: string, dims: (number | string)[]): void {
    this.graph.output.push(valueInfo(name, dims));
  }

  /** Adds a node with one output. */
  node(opType: string, input: string[], attribute: OnnxNode["attribute"] = [], output = `v${this.count++}`): string {
    this.graph.node.push({ opType, input, output: [output], attribute });
    return output;
  }

  /** Adds an initializer of uniform values in ±1/√fan-in. */
  weight(dims: number[]): string {
    const name = `w${this.count++}`;
    const data = new Float32Array(dims.reduce((a, b) => a * b));
    const scale = 1 / Math.sqrt(data.length / dims[0]);
    for (let i = 0; i < data.length; i++) data[i] = (((this.seed = (this.seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1) * scale;
    this.graph.initializer.push({ name, dims, dataType: OnnxDataType.Float, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** Nearest-neighbour upsampling of an NCHW value by an integer factor. */
  upsample(x: string, factor: number, output?: string): string {
    const scales = this.node(
      "Constant",
      [],
      [{ name: "value", type: 4, t: { dims: [4], dataType: OnnxDataType.Float, floatData: [1, 1, factor, factor] } }],
    );
    return this.node("Resize", [x, "", scales], [{ name: "mode", type: 3, s: new TextEncoder().encode("nearest") }], output);
  }

  /** A bias-free convolution, no padding. */
  conv(x: string, inChannels: number, outChannels: number, kernel = 1, stride = 1, output?: string): string {
    const ints = (name: string, values: number[]) => ({ name, type: 7, ints: values });
    return this.node(
      "Conv",
      [x, this.weight([outChannels, inChannels, kernel, kernel])],
      [ints("kernel_shape", [kernel, kernel]), ints("strides", [stride, stride])],
      output,
    );
  }
}

function valueInfo(name: string, dims: (number | string)[]): OnnxValueInfo {
  const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: OnnxDataType.Float, shape: { dim } } } };
}

/** Serialises a graph at opset 17. */
export function buildModel(graph: OnnxGraph): Uint8Array {
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph });
}
