import type { OnnxAttribute, OnnxTensor } from "../onnx/model.js";

/**
 * What the attention styles and weight sources need of a graph under construction ({@link TorchGraph} implements
 * it): node and constant emission, unique names, weights. Kept apart so that they depend on this, not on TorchGraph.
 */
export interface GraphOps {
  readonly initializers: OnnxTensor[];
  linear(name: string, weight: Float32Array, out: number, inDim: number): string;
  weight(name: string, data: Float32Array, dims: number[]): string;
  constant(scope: string, values: bigint[], dims?: number[]): string;
  node(opType: string, inputs: string[], name: string, attributes?: OnnxAttribute[], domain?: string): string;
  unique(base: string): string;
  dim(scope: string, tensor: string, axis: number): string;
  scalarDim(scope: string, tensor: string, axis: number): string;
  unsqueeze(scope: string, scalar: string): string;
}
