import type { GraphEditor } from "../onnx/graph.js";
import { readIntAttribute } from "../onnx/graph.js";
import type { OnnxNode } from "../onnx/model.js";

/** One skip connection of a UNet: a tensor saved on the way down that an up block concatenates. */
export interface SkipConnection {
  /** The up block's channel Concat that reads the skip. */
  readonly concat: OnnxNode;
  /** The tensor the concat reads (the source, or the source plus a residual input). */
  readonly read: string;
  /** The down-path tensor: diffusers' `down_block_res_samples[i]`. */
  readonly source: string;
  /** The graph input already added to the source, when the UNet takes ControlNet residuals. */
  readonly residual?: string;
}

/** The skips of a UNet in diffusers' order (conv_in's output first) and the mid block's output. */
export interface UnetSkips {
  readonly skips: readonly SkipConnection[];
  readonly mid: { readonly source: string; readonly read: string; readonly residual?: string };
}

const SHAPE_OPS = new Set(["Constant", "Unsqueeze", "Shape", "Gather", "Cast", "Slice", "Squeeze", "Sin", "Cos"]);

/**
 * Finds a UNet's skip connections by structure, whatever the node names: every up-block resnet starts
 * with `Concat([running features, skip], axis=1)`, where the skip is a tensor the down path also
 * goes on reading. The up path pops the skips last-first, so the concats in graph order read them in
 * reverse; the running input of the first concat is the mid block's output. A residual already added
 * to a skip or to the mid output (`Add(x, graph input)`) is seen through. Returns undefined when the
 * graph has no such concats (it is not a UNet).
 */
export function findUnetSkips(editor: GraphEditor): UnetSkips | undefined {
  const inputs = new Set(editor.graph.input.map((v) => v.name));
  const concats = editor.graph.node.filter((n) => isSkipConcat(editor, n, inputs)).sort((a, b) => editor.position(a) - editor.position(b));
  if (!concats.length) return undefined;
  const skips = concats.map((concat) => ({ concat, read: concat.input[1], ...seeThrough(editor, concat.input[1], inputs) })).reverse();
  const mid = concats[0].input[0];
  return { skips, mid: { read: mid, ...seeThrough(editor, mid, inputs) } };
}

function isSkipConcat(editor: GraphEditor, node: OnnxNode, inputs: ReadonlySet<string>): boolean {
  if (node.opType !== "Concat" || node.input.length !== 2) return false;
  const axis = readIntAttribute(node, "axis", 0);
  if (axis !== 1 && axis !== -3) return false;
  if (!node.input.every((t) => isComputed(editor, t))) return false;
  // A skip is kept for later: the down path reads it too (a time-embedding concat's inputs have no other reader).
  const { source } = seeThrough(editor, node.input[1], inputs);
  return editor.consumers(source).some((reader) => reader !== node && reader.opType !== "Shape" && !isResidualAdd(reader, inputs));
}

function isComputed(editor: GraphEditor, tensor: string): boolean {
  const producer = editor.producer(tensor);
  return producer !== undefined && !SHAPE_OPS.has(producer.opType ?? "");
}

function isResidualAdd(node: OnnxNode, inputs: ReadonlySet<string>): boolean {
  return node.opType === "Add" && node.input.length === 2 && node.input.some((t) => inputs.has(t));
}

/** `tensor`, or the other operand when it is `Add(x, graph input)` (a residual added by an export or a patch). */
function seeThrough(editor: GraphEditor, tensor: string, inputs: ReadonlySet<string>): { source: string; residual?: string } {
  const producer = editor.producer(tensor);
  if (!producer || !isResidualAdd(producer, inputs)) return { source: tensor };
  const at = producer.input.findIndex((t) => inputs.has(t));
  return { source: producer.input[1 - at], residual: producer.input[at] };
}
