import { float32Tensor, intAttribute, intsAttribute } from "../onnx/graph.js";
import type { GraphOps } from "./graph-ops.js";

/**
 * How an exported graph writes the attention core softmax(q·kᵀ/√d)·v, given the projections q [B, N, W],
 * k and v [B, L, W]; each returns the heads merged back to [B, N, W], before `to_out`:
 * - "split-heads": q, k, v reshaped to [B, heads, ·, d]; MatMul → Mul(scale) → Softmax → MatMul.
 * - "attn-processor": diffusers' `AttnProcessor` as torch exports it: heads folded into the batch
 *   ([B·heads, ·, d]), scores as `baddbmm(empty, q, kᵀ, beta=0, alpha=scale)` = MatMul → Mul(scale) plus
 *   ConstantOfShape × 0, Softmax, Cast, bmm, then the heads unfolded.
 * - "sdpa": diffusers' `AttnProcessor2_0` (F.scaled_dot_product_attention) as torch's opset-14 symbolic
 *   writes it: the scale computed from the query's shape, √scale multiplied into q and into kᵀ.
 * - "fused": ONNX Runtime's optimizer output, one com.microsoft MultiHeadAttention node.
 */
export type AttentionStyle = "split-heads" | "attn-processor" | "sdpa" | "fused";

/** Arguments shared by every style: the node-name scope, the projections and the split. */
export interface AttentionCore {
  readonly scope: string;
  readonly module: string;
  readonly q: string;
  readonly k: string;
  readonly v: string;
  readonly width: number;
  readonly heads: number;
}

/** Builds the attention core in `style`; returns the [B, N, W] tensor `to_out` reads. */
export function attentionCore(g: GraphOps, style: AttentionStyle, a: AttentionCore): string {
  switch (style) {
    case "split-heads":
      return splitHeads(g, a);
    case "attn-processor":
      return attnProcessor(g, a);
    case "sdpa":
      return sdpa(g, a);
    case "fused":
      return g.node(
        "MultiHeadAttention",
        [a.q, a.k, a.v],
        `${a.scope}/MultiHeadAttention`,
        [intAttribute("num_heads", a.heads)],
        "com.microsoft",
      );
  }
}

function scaleConstant(g: GraphOps, a: AttentionCore): string {
  return inlineScalar(g, `${a.module}.scale`, 1 / Math.sqrt(a.width / a.heads));
}

/** A float32 scalar kept in the model file even when weights go to external data (exporters fold these into Constants). */
function inlineScalar(g: GraphOps, name: string, value: number): string {
  g.initializers.push({ ...float32Tensor(Float32Array.of(value), []), name });
  return name;
}

function splitHeads(g: GraphOps, a: AttentionCore): string {
  const s = a.scope;
  const batch = g.dim(s, a.q, 0);
  const tokens = g.dim(s, a.q, 1);
  const split = g.node(
    "Concat",
    [batch, g.constant(s, [-1n]), g.constant(s, [BigInt(a.heads)]), g.constant(s, [BigInt(a.width / a.heads)])],
    g.unique(`${s}/Concat`),
    [intAttribute("axis", 0)],
  );
  const qh = g.node("Transpose", [g.node("Reshape", [a.q, split], `${s}/Reshape`)], `${s}/Transpose`, [
    intsAttribute("perm", [0, 2, 1, 3]),
  ]);
  const kh = g.node("Transpose", [g.node("Reshape", [a.k, split], `${s}/Reshape_1`)], `${s}/Transpose_2`, [
    intsAttribute("perm", [0, 2, 3, 1]),
  ]);
  const vh = g.node("Transpose", [g.node("Reshape", [a.v, split], `${s}/Reshape_2`)], `${s}/Transpose_1`, [
    intsAttribute("perm", [0, 2, 1, 3]),
  ]);
  const scores = g.node("Mul", [g.node("MatMul", [qh, kh], `${s}/MatMul`), scaleConstant(g, a)], `${s}/Mul`);
  const probs = g.node("Softmax", [scores], `${s}/Softmax`, [intAttribute("axis", -1)]);
  const weighted = g.node("MatMul", [probs, vh], `${s}/MatMul_1`);
  const merged = g.node("Concat", [batch, tokens, g.constant(s, [BigInt(a.width)])], g.unique(`${s}/Concat`), [intAttribute("axis", 0)]);
  return g.node(
    "Reshape",
    [g.node("Transpose", [weighted], `${s}/Transpose_3`, [intsAttribute("perm", [0, 2, 1, 3])]), merged],
    `${s}/Reshape_3`,
  );
}

/** `head_to_batch_dim`: [B, n, W] → [B, n, heads, d] → [B, heads, n, d] → [B·heads, n, d], sizes read from the tensor. */
function headsToBatch(g: GraphOps, a: AttentionCore, x: string): string {
  const s = a.scope;
  const [batch, tokens] = [g.dim(s, x, 0), g.dim(s, x, 1)];
  const d = BigInt(a.width / a.heads);
  const split = g.node("Concat", [batch, tokens, g.constant(s, [BigInt(a.heads)]), g.constant(s, [d])], g.unique(`${s}/Concat`), [
    intAttribute("axis", 0),
  ]);
  const moved = g.node("Transpose", [g.node("Reshape", [x, split], g.unique(`${s}/Reshape`))], g.unique(`${s}/Transpose`), [
    intsAttribute("perm", [0, 2, 1, 3]),
  ]);
  const rows = g.node("Mul", [g.scalarDim(s, x, 0), g.constant(s, [BigInt(a.heads)], [])], g.unique(`${s}/Mul`));
  const folded = g.node("Concat", [g.unsqueeze(s, rows), tokens, g.constant(s, [d])], g.unique(`${s}/Concat`), [intAttribute("axis", 0)]);
  return g.node("Reshape", [moved, folded], g.unique(`${s}/Reshape`));
}

function attnProcessor(g: GraphOps, a: AttentionCore): string {
  const s = a.scope;
  const [q, k, v] = [a.q, a.k, a.v].map((x) => headsToBatch(g, a, x));
  const empty = g.node(
    "ConstantOfShape",
    [g.node("Concat", [g.dim(s, q, 0), g.dim(s, q, 1), g.dim(s, k, 1)], g.unique(`${s}/Concat`), [intAttribute("axis", 0)])],
    g.unique(`${s}/ConstantOfShape`),
  );
  const product = g.node(
    "MatMul",
    [q, g.node("Transpose", [k], g.unique(`${s}/Transpose`), [intsAttribute("perm", [0, 2, 1])])],
    g.unique(`${s}/MatMul`),
  );
  const beta = inlineScalar(g, `${a.module}.beta`, 0);
  const scores = g.node(
    "Add",
    [g.node("Mul", [product, scaleConstant(g, a)], g.unique(`${s}/Mul`)), g.node("Mul", [empty, beta], g.unique(`${s}/Mul`))],
    g.unique(`${s}/Add`),
  );
  const probs = g.node("Cast", [g.node("Softmax", [scores], `${s}/Softmax`, [intAttribute("axis", -1)])], g.unique(`${s}/Cast`), [
    intAttribute("to", 1),
  ]);
  const weighted = g.node("MatMul", [probs, v], g.unique(`${s}/MatMul`));
  // batch_to_head_dim: [B·heads, n, d] → [B, heads, n, d] → [B, n, heads, d] → [B, n, W]
  const batch = g.node("Div", [g.scalarDim(s, weighted, 0), g.constant(s, [BigInt(a.heads)], [])], g.unique(`${s}/Div`));
  const tokens = g.dim(s, weighted, 1);
  const unfold = g.node(
    "Concat",
    [g.unsqueeze(s, batch), g.constant(s, [BigInt(a.heads)]), tokens, g.constant(s, [BigInt(a.width / a.heads)])],
    g.unique(`${s}/Concat`),
    [intAttribute("axis", 0)],
  );
  const moved = g.node("Transpose", [g.node("Reshape", [weighted, unfold], g.unique(`${s}/Reshape`))], g.unique(`${s}/Transpose`), [
    intsAttribute("perm", [0, 2, 1, 3]),
  ]);
  const merged = g.node("Concat", [g.unsqueeze(s, batch), tokens, g.constant(s, [BigInt(a.width)])], g.unique(`${s}/Concat`), [
    intAttribute("axis", 0),
  ]);
  return g.node("Reshape", [moved, merged], g.unique(`${s}/Reshape`));
}

function sdpa(g: GraphOps, a: AttentionCore): string {
  const s = a.scope;
  const split = g.constant(s, [0n, -1n, BigInt(a.heads), BigInt(a.width / a.heads)]);
  const heads = (x: string) =>
    g.node("Transpose", [g.node("Reshape", [x, split], g.unique(`${s}/Reshape`))], g.unique(`${s}/Transpose`), [
      intsAttribute("perm", [0, 2, 1, 3]),
    ]);
  const [q, k, v] = [heads(a.q), heads(a.k), heads(a.v)];
  // torch's _attention_scale: 1 / √(query.shape[-1]), in the query's type; q and kᵀ each take √scale.
  const last = g.node(
    "Slice",
    [g.node("Shape", [q], g.unique(`${s}/Shape`)), g.constant(s, [-1n]), g.constant(s, [9223372036854775807n])],
    g.unique(`${s}/Slice`),
  );
  const size = g.node("Cast", [last], g.unique(`${s}/Cast`), [intAttribute("to", 1)]);
  const one = inlineScalar(g, `${a.module}.one`, 1);
  const scale = g.node("Div", [one, g.node("Sqrt", [size], g.unique(`${s}/Sqrt`))], g.unique(`${s}/Div`));
  const root = g.node("Sqrt", [scale], g.unique(`${s}/Sqrt`));
  const keysT = g.node("Transpose", [k], g.unique(`${s}/Transpose`), [intsAttribute("perm", [0, 1, 3, 2])]);
  const scores = g.node(
    "MatMul",
    [g.node("Mul", [q, root], g.unique(`${s}/Mul`)), g.node("Mul", [keysT, root], g.unique(`${s}/Mul`))],
    g.unique(`${s}/MatMul`),
  );
  const weighted = g.node("MatMul", [g.node("Softmax", [scores], `${s}/Softmax`, [intAttribute("axis", -1)]), v], g.unique(`${s}/MatMul`));
  const back = g.node("Transpose", [weighted], g.unique(`${s}/Transpose`), [intsAttribute("perm", [0, 2, 1, 3])]);
  return g.node("Reshape", [back, g.constant(s, [0n, -1n, BigInt(a.width)])], g.unique(`${s}/Reshape`));
}
