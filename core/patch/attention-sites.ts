import { ErrorCode, InstantIdError } from "../errors.js";
import type { GraphEditor } from "../onnx/graph.js";
import { constantNumbers, toNumber } from "../onnx/model.js";
import type { OnnxNode } from "../onnx/model.js";

/** The nodes of one attention whose keys and values come from the text context (a cross-attention block). */
export interface CrossAttentionSite {
  /** "decomposed": MatMul → Softmax → MatMul as torch exports it; "fused": com.microsoft MultiHeadAttention. */
  readonly style: "decomposed" | "fused";
  /** The diffusers module path (`down_blocks.1.attentions.0.transformer_blocks.0.attn2`) when node names carry it. */
  readonly module?: string;
  /** Position of the block's key projection in the graph as read, for ordering unnamed blocks. */
  readonly position: number;
  /** Output channels of the key/value projections (the block's width). */
  readonly width: number;
  /** Input channels of the key/value projections (the context width). */
  readonly contextDim: number;
  readonly toK: OnnxNode;
  readonly toV: OnnxNode;
  /** Nodes from the key projection's output to where the attention reads the keys, in order. */
  readonly keyChain: readonly OnnxNode[];
  /** Nodes from the value projection's output to where the attention reads the values, in order. */
  readonly valueChain: readonly OnnxNode[];
  /** The tensor [batch, tokens, width] of the text attention just before `to_out`: where the image term is added. */
  readonly textOutput: string;
  /** For decomposed blocks: scores MatMul, the ops up to Softmax, Softmax, weighted-sum MatMul, and the head merge. */
  readonly core?: {
    readonly scores: OnnxNode;
    readonly scoreChain: readonly OnnxNode[];
    readonly softmax: OnnxNode;
    readonly weighted: OnnxNode;
    readonly mergeChain: readonly OnnxNode[];
  };
  /** For fused blocks: the MultiHeadAttention node. */
  readonly fused?: OnnxNode;
}

const KEY_PATH_OPS = new Set(["Reshape", "Transpose", "Mul", "Div", "Cast", "Identity", "Squeeze", "Unsqueeze"]);
const SCORE_PATH_OPS = new Set(["Mul", "Div", "Cast", "Identity"]);
const MERGE_OPS = new Set(["Transpose", "Reshape", "Cast", "Identity"]);
const MODULE_PATTERN = /(down_blocks\.\d+|up_blocks\.\d+|mid_block)\.attentions\.\d+\.transformer_blocks\.\d+\.attn2/;

/**
 * Finds every attention whose keys and values are projections of `context` (the graph input
 * `encoder_hidden_states`), in torch's decomposed form or fused into MultiHeadAttention.
 */
export function findCrossAttention(editor: GraphEditor, context: string): CrossAttentionSite[] {
  const sites: CrossAttentionSite[] = [];
  for (const node of editor.graph.node) {
    const site =
      node.opType === "Softmax"
        ? decomposedSite(editor, node, context)
        : isMultiHeadAttention(node)
          ? fusedSite(editor, node, context)
          : undefined;
    if (site) sites.push(site);
  }
  return sites;
}

function isMultiHeadAttention(node: OnnxNode): boolean {
  return node.opType === "MultiHeadAttention" && node.domain === "com.microsoft";
}

function decomposedSite(editor: GraphEditor, softmax: OnnxNode, context: string): CrossAttentionSite | undefined {
  const back = walkBack(
    editor,
    softmax.input[0],
    SCORE_PATH_OPS,
    (n) => n.opType === "MatMul",
    (n) => addsZero(editor, n),
  );
  if (!back) return undefined;
  const scores = back.end;
  const weighted = followSingle(editor, softmax.output[0], new Set(["Cast", "Identity"]));
  if (weighted?.node.opType !== "MatMul") return undefined;
  const keys = projectionOf(editor, scores.input[1], context);
  const values = projectionOf(editor, weighted.node.input[1], context);
  if (!keys || !values) return undefined;
  const merge = mergeChain(editor, weighted.node.output[0]);
  const textOutput = merge.length ? merge[merge.length - 1].output[0] : weighted.node.output[0];
  return {
    style: "decomposed",
    ...describe(editor, keys.end, values.end, [keys.end, softmax, scores]),
    keyChain: keys.chain,
    valueChain: values.chain,
    textOutput,
    core: { scores, scoreChain: back.chain, softmax, weighted: weighted.node, mergeChain: merge },
  };
}

function fusedSite(editor: GraphEditor, mha: OnnxNode, context: string): CrossAttentionSite | undefined {
  const keys = projectionOf(editor, mha.input[1] ?? "", context);
  if (!keys) return undefined;
  const values = mha.input[2] ? projectionOf(editor, mha.input[2], context) : undefined;
  const extra = mha.input.slice(3).filter(Boolean);
  if (!values || extra.length) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      `MultiHeadAttention node ${mha.name || mha.output[0]} reads the text context but ` +
        `${!values ? "packs keys and values into one input" : `has extra inputs (${extra.join(", ")})`}, which the patcher does ` +
        `not support. Optimize the model without packed KV / attention bias fusion, or use the unfused export.`,
    );
  }
  return {
    style: "fused",
    ...describe(editor, keys.end, values.end, [keys.end, mha, editor.producer(mha.input[0])]),
    keyChain: keys.chain,
    valueChain: values.chain,
    textOutput: mha.output[0],
    fused: mha,
  };
}

function describe(editor: GraphEditor, toK: OnnxNode, toV: OnnxNode, named: (OnnxNode | undefined)[]) {
  const weight = editor.constantTensor(toK.input[1]);
  const dims = (weight?.dims ?? []).map(toNumber);
  if (dims.length !== 2) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      `The key projection ${toK.name || toK.output[0]} of a cross-attention block has no 2-D weight the patcher can read (found ` +
        `${weight ? `dims [${dims.join(", ")}]` : "no constant weight"}).`,
    );
  }
  return { module: moduleOf(named), position: editor.position(toK), width: dims[1], contextDim: dims[0], toK, toV };
}

function moduleOf(nodes: (OnnxNode | undefined)[]): string | undefined {
  for (const node of nodes) {
    for (const text of [node?.name ?? "", ...(node?.output ?? [])]) {
      const match = text.replaceAll("/", ".").match(MODULE_PATTERN);
      if (match) return match[0];
    }
  }
  return undefined;
}

/** The projection MatMul (reading the context) at the start of the key or value path ending at `tensor`. */
function projectionOf(editor: GraphEditor, tensor: string, context: string) {
  const back = walkBack(editor, tensor, KEY_PATH_OPS, (n) => n.opType === "MatMul");
  if (!back || !readsContext(editor, back.end.input[0], context)) return undefined;
  return back;
}

function readsContext(editor: GraphEditor, tensor: string, context: string): boolean {
  for (let depth = 0; depth < 4; depth++) {
    if (tensor === context) return true;
    const node = editor.producer(tensor);
    if (!node || (node.opType !== "Cast" && node.opType !== "Identity")) return false;
    tensor = node.input[0];
  }
  return false;
}

/**
 * Walks producers back from `tensor` through `through` ops until a node `isEnd`; returns it and the ops
 * passed (in data order). Nodes for which `passThrough` returns the data input are crossed but left out
 * of the chain (they do not change the value).
 */
function walkBack(
  editor: GraphEditor,
  tensor: string,
  through: Set<string>,
  isEnd: (n: OnnxNode) => boolean,
  passThrough?: (n: OnnxNode) => string | undefined,
) {
  const chain: OnnxNode[] = [];
  for (let depth = 0; depth < 12; depth++) {
    const node = editor.producer(tensor);
    if (!node) return undefined;
    if (isEnd(node)) return { end: node, chain: chain.reverse() };
    const crossed = passThrough?.(node);
    if (crossed !== undefined) {
      tensor = crossed;
      continue;
    }
    if (!through.has(node.opType ?? "")) return undefined;
    chain.push(node);
    tensor = dataInput(editor, node);
  }
  return undefined;
}

/**
 * For `Add(x, 0·anything)` — diffusers' AttnProcessor computes scores with `baddbmm(empty, q, kᵀ, beta=0)`,
 * which torch exports as the product plus ConstantOfShape × 0 — the input `x`; undefined for any other node.
 * A real attention mask is not zero, so a block with one is not crossed (its key length is the text's).
 */
function addsZero(editor: GraphEditor, node: OnnxNode): string | undefined {
  if (node.opType !== "Add" || node.input.length !== 2) return undefined;
  const zeroAt = node.input.findIndex((t) => isZero(editor, t));
  return zeroAt < 0 ? undefined : node.input[1 - zeroAt];
}

function isZero(editor: GraphEditor, tensor: string): boolean {
  const node = editor.producer(tensor);
  if (node?.opType === "Mul") return node.input.some((t) => isZeroConstant(editor, t));
  if (node?.opType === "ConstantOfShape") return isZeroConstant(editor, tensor);
  return isZeroConstant(editor, tensor);
}

/** A constant whose every value is 0 (ConstantOfShape without a value fills zeros). */
function isZeroConstant(editor: GraphEditor, tensor: string): boolean {
  const node = editor.producer(tensor);
  const value = node?.opType === "ConstantOfShape" ? node.attribute?.find((a) => a.name === "value")?.t : editor.constantTensor(tensor);
  if (node?.opType === "ConstantOfShape" && !value) return true;
  const values = value && constantNumbers(value);
  return values !== undefined && values.length > 0 && values.every((v) => v === 0);
}

/** The input of a unary-like node that carries the data (not the shape, perm or constant factor). */
export function dataInput(editor: GraphEditor, node: OnnxNode): string {
  if ((node.opType === "Mul" || node.opType === "Div") && editor.isConstant(node.input[0])) return node.input[1];
  return node.input[0];
}

/** Readers of `tensor` that use its values (Shape reads only its dimensions). */
function dataReaders(editor: GraphEditor, tensor: string): readonly OnnxNode[] {
  return editor.consumers(tensor).filter((n) => n.opType !== "Shape");
}

function followSingle(editor: GraphEditor, tensor: string, through: Set<string>) {
  for (let depth = 0; depth < 4; depth++) {
    const readers = dataReaders(editor, tensor);
    if (readers.length !== 1) return undefined;
    const node = readers[0];
    if (!through.has(node.opType ?? "")) return { node };
    tensor = node.output[0];
  }
  return undefined;
}

function mergeChain(editor: GraphEditor, tensor: string): OnnxNode[] {
  const chain: OnnxNode[] = [];
  for (let depth = 0; depth < 6; depth++) {
    const readers = dataReaders(editor, tensor);
    if (readers.length !== 1 || !MERGE_OPS.has(readers[0].opType ?? "")) break;
    chain.push(readers[0]);
    tensor = readers[0].output[0];
  }
  return chain;
}
