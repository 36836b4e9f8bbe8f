import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from "./model.js";
import { OnnxDataType } from "./model.js";

/**
 * Lookups over a graph (who produces and who consumes each tensor) plus the few edits a patch makes:
 * adding initializers, inputs and nodes under fresh names, rewiring consumers. Call {@link GraphEditor.finish}
 * once at the end: it puts the graph back in topological order.
 */
export class GraphEditor {
  readonly graph: OnnxGraph;
  private readonly producers = new Map<string, OnnxNode>();
  private readonly consumersOf = new Map<string, OnnxNode[]>();
  // Positions of the nodes as read; nodes added later have none (they sort after every original node).
  private readonly positions = new Map<OnnxNode, number>();
  private readonly initializers = new Map<string, OnnxTensor>();
  private readonly taken = new Set<string>();

  constructor(graph: OnnxGraph) {
    this.graph = graph;
    graph.node.forEach((node, index) => {
      this.positions.set(node, index);
      this.index(node);
    });
    for (const tensor of graph.initializer) {
      if (tensor.name) this.initializers.set(tensor.name, tensor);
      if (tensor.name) this.taken.add(tensor.name);
    }
    for (const value of [...graph.input, ...graph.output]) this.taken.add(value.name);
  }

  /** The node whose output is `tensor`, if a node makes it (not for graph inputs and initializers). */
  producer(tensor: string): OnnxNode | undefined {
    return this.producers.get(tensor);
  }

  /** Nodes that read `tensor`. */
  consumers(tensor: string): readonly OnnxNode[] {
    return this.consumersOf.get(tensor) ?? [];
  }

  /** The node's position in the graph as read (new nodes come after every original one). */
  position(node: OnnxNode): number {
    return this.positions.get(node) ?? Number.POSITIVE_INFINITY;
  }

  /** The initializer named `tensor`, or the tensor of the Constant node producing it. */
  constantTensor(tensor: string): OnnxTensor | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init;
    const node = this.producers.get(tensor);
    if (node?.opType === "Constant") return node.attribute?.find((a) => a.name === "value")?.t;
    return undefined;
  }

  /** True when `tensor` is a weight or constant rather than computed from the inputs. */
  isConstant(tensor: string): boolean {
    return this.initializers.has(tensor) || this.producers.get(tensor)?.opType === "Constant";
  }

  /** A tensor or node name not used anywhere in the graph yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** Adds an initializer under a fresh name derived from `base` and returns that name. */
  addInitializer(base: string, tensor: OnnxTensor): string {
    const name = this.fresh(base);
    const named = { ...tensor, name };
    this.graph.initializer.push(named);
    this.initializers.set(name, named);
    return name;
  }

  /** Appends a node computing `opType(inputs)` and returns its output names (fresh, derived from `name`). */
  addNode(
    opType: string,
    inputs: string[],
    name: string,
    options: { attributes?: OnnxAttribute[]; domain?: string; outputs?: number } = {},
  ): string[] {
    const nodeName = this.fresh(name);
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => this.fresh(`${nodeName}_output_${i}`));
    const node: OnnxNode = { input: inputs, output: outputs, name: nodeName, opType };
    if (options.domain) node.domain = options.domain;
    if (options.attributes?.length) node.attribute = options.attributes;
    this.graph.node.push(node);
    this.index(node);
    return outputs;
  }

  /** Appends one node with a single output and returns that output's name. */
  add(opType: string, inputs: string[], name: string, attributes?: OnnxAttribute[], domain?: string): string {
    return this.addNode(opType, inputs, name, { attributes, domain })[0];
  }

  /** Makes `node` read `to` where it read `from`. */
  rewire(node: OnnxNode, from: string, to: string): void {
    node.input = node.input.map((name) => (name === from ? to : name));
    this.consumersOf.set(
      from,
      (this.consumersOf.get(from) ?? []).filter((n) => n !== node),
    );
    this.consumersOf.set(to, [...(this.consumersOf.get(to) ?? []), node]);
  }

  /** Restores topological order (new nodes were appended at the end), keeping the original order where free. */
  finish(): void {
    const sorted: OnnxNode[] = [];
    const state = new Map<OnnxNode, 1 | 2>();
    for (const root of this.graph.node) {
      if (state.has(root)) continue;
      const stack: [OnnxNode, number][] = [[root, 0]];
      state.set(root, 1);
      while (stack.length) {
        const top = stack[stack.length - 1];
        const [node, next] = top;
        if (next < node.input.length) {
          top[1]++;
          const dep = this.producers.get(node.input[next]);
          if (dep && !state.has(dep)) {
            state.set(dep, 1);
            stack.push([dep, 0]);
          }
          continue;
        }
        stack.pop();
        state.set(node, 2);
        sorted.push(node);
      }
    }
    this.graph.node = sorted;
  }

  private index(node: OnnxNode): void {
    if (node.name) this.taken.add(node.name);
    for (const output of node.output) {
      if (output) this.producers.set(output, node);
      this.taken.add(output);
    }
    for (const input of node.input) {
      if (!input) continue;
      const list = this.consumersOf.get(input);
      if (list) list.push(node);
      else this.consumersOf.set(input, [node]);
    }
  }
}

/** An INT attribute. */
export function intAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: 2, i: value };
}

/** An INTS attribute. */
export function intsAttribute(name: string, values: number[]): OnnxAttribute {
  return { name, type: 7, ints: values };
}

/** A STRING attribute. */
export function stringAttribute(name: string, value: string): OnnxAttribute {
  return { name, type: 3, s: new TextEncoder().encode(value) };
}

/** The value of an INT attribute of `node`, or `fallback`. */
export function readIntAttribute(node: OnnxNode, name: string, fallback: number): number {
  const attr = node.attribute?.find((a) => a.name === name);
  if (!attr || attr.i === undefined) return fallback;
  return typeof attr.i === "number" ? attr.i : attr.i.toNumber();
}

/** An int64 tensor stored as raw little-endian bytes (exact for any 64-bit value). */
export function int64Tensor(values: readonly bigint[], dims: number[] = [values.length]): OnnxTensor {
  const data = BigInt64Array.from(values);
  return { dims, dataType: OnnxDataType.Int64, rawData: new Uint8Array(data.buffer) };
}

/** A float32 tensor stored as raw little-endian bytes. */
export function float32Tensor(values: Float32Array, dims: number[]): OnnxTensor {
  return { dims, dataType: OnnxDataType.Float, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** A graph input or output: a tensor of `elemType` (default float32) whose dimensions are sizes or named (symbolic) sizes. */
export function tensorValueInfo(name: string, dims: readonly (number | string)[], elemType: number = OnnxDataType.Float): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
  };
}
