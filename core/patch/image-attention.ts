import type { CrossAttentionSite } from "./attention-sites.js";
import { dataInput } from "./attention-sites.js";
import type { GraphEditor } from "../onnx/graph.js";
import { int64Tensor, intAttribute, stringAttribute } from "../onnx/graph.js";
import { OnnxDataType, toNumber } from "../onnx/model.js";
import type { OnnxNode } from "../onnx/model.js";

/** Where one identity's data enters the graph: its image tokens, its scale, and optionally its region mask. */
export interface IdentitySources {
  /** The image tokens as rows, [batch · tokenCount, contextDim], in the model's float type. */
  readonly tokenRows: string;
  readonly tokenCount: number;
  /** Tensor [1], float32. */
  readonly scale: string;
  /** Tensor [batch or 1, 1, H, W], float32, any resolution with the latent's aspect ratio. */
  readonly mask?: string;
}

/** The image-attention projections of one block, stored as initializers in PyTorch layout [width, contextDim]. */
export interface BlockWeights {
  readonly toK: string;
  readonly toV: string;
}

const INT64_MAX = 9223372036854775807n;

/**
 * Adds `Σ_i scale_i · mask_i · Attn(q, tokens_i·Wk, tokens_i·Wv)` to the block's text attention output,
 * reusing the block's own query, head split, score scaling, softmax and head merge so that the image
 * term is computed exactly as the text term is. Without a mask, the scale multiplies the 16 value rows
 * instead of the whole output (the same product, cheaper).
 */
export function addImageAttention(
  editor: GraphEditor,
  site: CrossAttentionSite,
  weights: BlockWeights,
  identities: readonly IdentitySources[],
  floatType: number,
  label: string,
): void {
  const readers = [...editor.consumers(site.textOutput)];
  let sum = site.textOutput;
  identities.forEach((identity, i) => {
    const tag = `${label}/ip${i}`;
    const keys = cloneChain(editor, site.keyChain, project(editor, identity, weights.toK, site.width, `${tag}/to_k_ip`), tag);
    let valueProjection = project(editor, identity, weights.toV, site.width, `${tag}/to_v_ip`);
    if (!identity.mask)
      valueProjection = editor.add("Mul", [valueProjection, castTo(editor, identity.scale, floatType, tag)], `${tag}/scale`);
    const values = cloneChain(editor, site.valueChain, valueProjection, tag);
    let term = site.fused ? fusedAttention(editor, site.fused, keys, values, tag) : decomposedAttention(editor, site, keys, values, tag);
    if (identity.mask) {
      const grid = maskOnGrid(editor, identity.mask, site.textOutput, tag);
      const factor = castTo(editor, editor.add("Mul", [grid, identity.scale], `${tag}/mask_scale`), floatType, tag);
      term = editor.add("Mul", [term, factor], `${tag}/masked`);
    }
    sum = editor.add("Add", [sum, term], `${tag}/add`);
  });
  for (const reader of readers) editor.rewire(reader, site.textOutput, sum);
}

/** tokens · Wᵀ as one Gemm with transB, so the checkpoint's [width, contextDim] weights are stored as they are. */
function project(editor: GraphEditor, identity: IdentitySources, weight: string, width: number, tag: string): string {
  const rows = editor.add("Gemm", [identity.tokenRows, weight], `${tag}/Gemm`, [intAttribute("transB", 1)]);
  const shape = editor.addInitializer(`${tag}/shape`, int64Tensor([-1n, BigInt(identity.tokenCount), BigInt(width)]));
  return editor.add("Reshape", [rows, shape], `${tag}/Reshape`);
}

function decomposedAttention(editor: GraphEditor, site: CrossAttentionSite, keys: string, values: string, tag: string): string {
  const core = site.core!;
  let scores = clone(editor, core.scores, { 1: keys }, tag);
  scores = cloneChain(editor, core.scoreChain, scores, tag);
  const weights = clone(editor, core.softmax, { 0: scores }, tag);
  const weighted = clone(editor, core.weighted, { 0: weights, 1: values }, tag);
  return cloneChain(editor, core.mergeChain, weighted, tag);
}

function fusedAttention(editor: GraphEditor, mha: OnnxNode, keys: string, values: string, tag: string): string {
  return editor.add("MultiHeadAttention", [mha.input[0], keys, values], `${tag}/MultiHeadAttention`, mha.attribute, mha.domain);
}

/** Copies a chain of unary-like nodes onto new data; reshapes get -1 for the token axis (16 image tokens, not 77). */
function cloneChain(editor: GraphEditor, chain: readonly OnnxNode[], data: string, tag: string): string {
  for (const node of chain) {
    const replaced: Record<number, string> = { [node.input.indexOf(dataInput(editor, node))]: data };
    if (node.opType === "Reshape") replaced[1] = anyTokenCount(editor, node.input[1], tag);
    data = clone(editor, node, replaced, tag);
  }
  return data;
}

/** A copy of `node` (same op, attributes, domain) reading `replaced[i]` instead of its input i. */
function clone(editor: GraphEditor, node: OnnxNode, replaced: Record<number, string>, tag: string): string {
  const inputs = node.input.map((input, i) => replaced[i] ?? input);
  return editor.add(node.opType ?? "", inputs, `${tag}/${node.opType}`, node.attribute, node.domain);
}

/** A reshape target equal to `shape` with its second entry (the token axis) replaced by -1. */
function anyTokenCount(editor: GraphEditor, shape: string, tag: string): string {
  const constant = editor.constantTensor(shape);
  const values = constant && constantInt64s(constant);
  if (values && values.length >= 2) {
    values[1] = -1n;
    return editor.addInitializer(`${tag}/shape`, int64Tensor(values));
  }
  const head = slice(editor, shape, 0, 1, tag);
  const tail = slice(editor, shape, 2, INT64_MAX, tag);
  const minusOne = editor.addInitializer(`${tag}/minus_one`, int64Tensor([-1n]));
  return editor.add("Concat", [head, minusOne, tail], `${tag}/shape`, [intAttribute("axis", 0)]);
}

function constantInt64s(tensor: { dataType?: number; rawData?: Uint8Array; int64Data?: unknown[] }): bigint[] | undefined {
  if (tensor.dataType !== OnnxDataType.Int64) return undefined;
  if (tensor.rawData?.byteLength) {
    const copy = new Uint8Array(tensor.rawData); // a copy: the decoded bytes may view the whole model buffer
    return [...new BigInt64Array(copy.buffer, 0, copy.byteLength / 8)];
  }
  return tensor.int64Data?.map((v) => BigInt(toNumber(v as number)));
}

/**
 * The mask resized (nearest, like F.interpolate) to the block's token grid and flattened to [Bm, N, 1].
 * The grid is h × w with h·w = N tokens and the mask's aspect ratio, so one mask serves every layer
 * whether given at latent or at image resolution.
 */
function maskOnGrid(editor: GraphEditor, mask: string, textOutput: string, tag: string): string {
  const tokens = slice(editor, editor.add("Shape", [textOutput], `${tag}/Shape`), 1, 2, tag);
  const maskShape = editor.add("Shape", [mask], `${tag}/mask_Shape`);
  const toFloat = (t: string) => editor.add("Cast", [t], `${tag}/Cast`, [intAttribute("to", OnnxDataType.Float)]);
  const height = toFloat(slice(editor, maskShape, 2, 3, tag));
  const width = toFloat(slice(editor, maskShape, 3, 4, tag));
  const ratio = editor.add("Div", [editor.add("Mul", [toFloat(tokens), height], `${tag}/Mul`), width], `${tag}/Div`);
  const gridHeight = editor.add(
    "Cast",
    [editor.add("Round", [editor.add("Sqrt", [ratio], `${tag}/Sqrt`)], `${tag}/Round`)],
    `${tag}/Cast`,
    [intAttribute("to", OnnxDataType.Int64)],
  );
  const gridWidth = editor.add("Div", [tokens, gridHeight], `${tag}/Div`);
  const sizes = editor.add("Concat", [slice(editor, maskShape, 0, 2, tag), gridHeight, gridWidth], `${tag}/sizes`, [
    intAttribute("axis", 0),
  ]);
  const resized = editor.add("Resize", [mask, "", "", sizes], `${tag}/mask_Resize`, [
    stringAttribute("mode", "nearest"),
    stringAttribute("coordinate_transformation_mode", "asymmetric"),
    stringAttribute("nearest_mode", "floor"),
  ]);
  const one = editor.addInitializer(`${tag}/one`, int64Tensor([1n]));
  const flatShape = editor.add("Concat", [slice(editor, maskShape, 0, 1, tag), tokens, one], `${tag}/flat_shape`, [
    intAttribute("axis", 0),
  ]);
  return editor.add("Reshape", [resized, flatShape], `${tag}/mask_flat`);
}

function slice(editor: GraphEditor, tensor: string, start: number, end: number | bigint, tag: string): string {
  const starts = editor.addInitializer(`${tag}/start`, int64Tensor([BigInt(start)]));
  const ends = editor.addInitializer(`${tag}/end`, int64Tensor([BigInt(end)]));
  return editor.add("Slice", [tensor, starts, ends], `${tag}/Slice`);
}

function castTo(editor: GraphEditor, tensor: string, floatType: number, tag: string): string {
  return floatType === OnnxDataType.Float ? tensor : editor.add("Cast", [tensor], `${tag}/Cast`, [intAttribute("to", floatType)]);
}
