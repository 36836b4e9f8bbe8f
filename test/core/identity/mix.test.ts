import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import { createIdentity } from "../../../core/identity/identity.js";
import { mixIdentities } from "../../../core/identity/mix.js";

const alice = createIdentity([{ embedding: Float32Array.from([10, 0]) }, { embedding: Float32Array.from([0, 0]) }]);
const bob = createIdentity([{ embedding: Float32Array.from([0, 10]) }]);

describe("mixIdentities", () => {
  it("takes the weighted sum of each identity's mean raw embedding", () => {
    const mix = mixIdentities([alice, bob], [0.7, 0.3]);
    expect(mix.embeddings).toHaveLength(1);
    expect(mix.embeddings[0][0]).toBeCloseTo(3.5, 5);
    expect(mix.embeddings[0][1]).toBeCloseTo(3, 5);
    expect(mix.combine).toBe("average");
  });

  it("normalises weights to sum to one", () => {
    expect([...mixIdentities([alice, bob], [7, 3]).embeddings[0]]).toEqual([...mixIdentities([alice, bob], [0.7, 0.3]).embeddings[0]]);
  });

  it("mixes huge finite weights (1e308 each) as equal ones instead of overflowing to a zero embedding", () => {
    expect([...mixIdentities([alice, bob], [1e308, 1e308]).embeddings[0]]).toEqual([...mixIdentities([alice, bob], [1, 1]).embeddings[0]]);
    expect([...mixIdentities([alice, bob], [5e-324, 5e-324]).embeddings[0]]).toEqual([2.5, 5]);
  });

  it("refuses different embedding sizes, bad weights and a single identity", () => {
    const wide = createIdentity([{ embedding: new Float32Array(3) }]);
    expect(() => mixIdentities([alice, wide], [0.5, 0.5])).toThrow(expect.objectContaining({ code: ErrorCode.ShapeMismatch }));
    expect(() => mixIdentities([alice, bob], [0.5])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => mixIdentities([alice, bob], [-1, 2])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => mixIdentities([alice, bob], [0, 0])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => mixIdentities([alice], [1])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });

  it("refuses identities made by different recognizers", () => {
    const x = createIdentity([{ embedding: new Float32Array(2) }], { models: [{ name: "a.onnx", sha256: "1" }] });
    const y = createIdentity([{ embedding: new Float32Array(2) }], { models: [{ name: "a.onnx", sha256: "2" }] });
    expect(() => mixIdentities([x, y], [1, 1])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });
});
