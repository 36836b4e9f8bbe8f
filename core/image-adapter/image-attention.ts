import { ErrorCode, InstantIdError } from "../errors.js";
import { assertShape, type Tensor } from "../tensor/tensor.js";
import { attendHeads } from "./multi-head-attention.js";

/** One identity's contribution to a cross-attention layer. */
export interface IpIdentity {
  /** K_ip [B or 1, tokens, width]. */
  readonly k: Tensor;
  /** V_ip [B or 1, tokens, width]. */
  readonly v: Tensor;
  readonly scale: number;
  /** Weights over query positions ([queries] or [B·queries], row-major over the layer's grid); absent = 1 everywhere. */
  readonly mask?: Float32Array;
}

/**
 * The decoupled image-attention term of one cross-attention layer:
 * Σ_i scale_i · mask_i · softmax(q K_iᵀ / √headDim) V_i, to be added to the text-attention output
 * before `to_out`. Pure and framework-agnostic: q [B, queries, width] is the layer's to_q output.
 *
 * @example
 * const term = imageAttention(q, 10, [{ k: kv.k, v: kv.v, scale: 0.8 }]);
 */
export function imageAttention(q: Tensor, heads: number, identities: readonly IpIdentity[]): Tensor {
  assertShape(q, [-1, -1, -1], "attention query [batch, queries, width]");
  const [batch, queries, width] = q.shape;
  if (!Number.isInteger(heads) || heads <= 0 || width % heads !== 0) {
    throw new InstantIdError(ErrorCode.InvalidInput, `A query width of ${width} cannot be split into ${heads} heads`);
  }
  const headDim = width / heads;
  const out = new Float32Array(q.data.length);
  identities.forEach((identity, index) => {
    const what = `identity ${index}`;
    assertShape(identity.k, [-1, -1, width], `${what} K_ip`);
    assertShape(identity.v, identity.k.shape, `${what} V_ip`);
    const [kvBatch, tokens] = identity.k.shape;
    if (kvBatch !== batch && kvBatch !== 1) {
      throw new InstantIdError(ErrorCode.ShapeMismatch, `${what} has K/V for batch ${kvBatch} but the query batch is ${batch}`);
    }
    const mask = identity.mask;
    if (mask && mask.length !== queries && mask.length !== batch * queries) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `${what}'s mask has ${mask.length} values but the layer has ${queries} query positions (batch ${batch})`,
      );
    }
    for (let b = 0; b < batch; b++) {
      const kb = kvBatch === 1 ? 0 : b;
      const rowMask = mask && mask.length === batch * queries ? mask.subarray(b * queries, (b + 1) * queries) : mask;
      attendHeads(
        { data: q.data, row: b * queries, stride: width, offset: 0 },
        { data: identity.k.data, row: kb * tokens, stride: width, offset: 0 },
        { data: identity.v.data, row: kb * tokens, stride: width, offset: 0 },
        queries,
        tokens,
        heads,
        headDim,
        1 / Math.sqrt(headDim),
        out,
        b * queries,
        identity.scale,
        rowMask,
      );
    }
  });
  return { shape: [batch, queries, width], data: out };
}
