import { describe, expect, it } from "vitest";
import { imageAttention } from "../../../core/image-adapter/image-attention.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { assertClose } from "../../helpers/assert-close.js";

describe("imageAttention", () => {
  const q = tensor([1, 2, 4], [1, 0, 0, 1, 0, 1, 1, 0]);

  it("returns scale × V when there is a single image token (softmax over one key is 1)", () => {
    const k = tensor([1, 1, 4], [5, 5, 5, 5]);
    const v = tensor([1, 1, 4], [1, 2, 3, 4]);
    const out = imageAttention(q, 2, [{ k, v, scale: 0.5 }]);
    expect([...out.data]).toEqual([0.5, 1, 1.5, 2, 0.5, 1, 1.5, 2]);
  });

  it("computes softmax(q kᵀ/√d) v per head and sums identities weighted by their masks", () => {
    const k = tensor([1, 2, 4], [1, 0, 0, 0, 0, 0, 0, 1]);
    const v = tensor([1, 2, 4], [1, 1, 1, 1, 3, 3, 3, 3]);
    const p = 1 / (1 + Math.exp(-1 / Math.SQRT2)); // weight of the matching key, head dim 2
    const out = imageAttention(q, 2, [
      { k, v, scale: 1, mask: Float32Array.of(1, 0) },
      { k, v, scale: 2, mask: Float32Array.of(0, 1) },
    ]);
    // query 0 (identity 1 only): head 0 leans to key 0, head 1 to key 1; query 1 (identity 2 only) matches no key: uniform
    const expected = [p + 3 * (1 - p), p + 3 * (1 - p), 1 - p + 3 * p, 1 - p + 3 * p, 4, 4, 4, 4];
    assertClose(out.data, expected, { abs: 1e-6 }, "attention");
  });

  it("broadcasts K/V of batch 1 over the query batch", () => {
    const q2 = tensor([2, 2, 4], [...q.data, ...q.data]);
    const k = tensor([1, 1, 4], [0, 0, 0, 0]);
    const v = tensor([1, 1, 4], [1, 1, 1, 1]);
    expect([...imageAttention(q2, 1, [{ k, v, scale: 1 }]).data]).toEqual(new Array(16).fill(1));
  });

  it("names the identity whose mask does not fit the query positions", () => {
    const k = tensor([1, 1, 4]);
    expect(() => imageAttention(q, 2, [{ k, v: k, scale: 1, mask: new Float32Array(3) }])).toThrow(/identity 0's mask has 3 values/);
    expect(() => imageAttention(q, 3, [])).toThrow(/cannot be split into 3 heads/);
  });
});
