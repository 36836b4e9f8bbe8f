import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { identityEmbeds } from "../../../core/identity/combine.js";
import { createIdentity } from "../../../core/identity/identity.js";

const kps: FiveKeypoints = [
  [10, 10],
  [20, 10],
  [15, 15],
  [11, 20],
  [19, 20],
];
const a = Float32Array.from([1, 2, 3, 4]);
const b = Float32Array.from([3, 0, -3, 0]);

describe("createIdentity", () => {
  it("keeps copies of the raw embeddings, the sources and the models", () => {
    const id = createIdentity([{ embedding: a, kps, width: 64, height: 48 }], { models: [{ name: "r.onnx", sha256: "ab" }] });
    a[0] = 99;
    expect([...id.embeddings[0]]).toEqual([1, 2, 3, 4]);
    a[0] = 1;
    expect(id.combine).toBe("average");
    expect(id.sources).toEqual([{ kps, width: 64, height: 48 }]);
    expect(id.models).toEqual([{ name: "r.onnx", sha256: "ab" }]);
  });

  it("rejects references with different embedding sizes with SHAPE_MISMATCH", () => {
    expect(() => createIdentity([{ embedding: a }, { embedding: new Float32Array(3) }])).toThrow(
      expect.objectContaining({ code: ErrorCode.ShapeMismatch }),
    );
  });

  it("rejects NaN embeddings, no references and unknown combine modes", () => {
    expect(() => createIdentity([{ embedding: Float32Array.from([1, Number.NaN]) }])).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
    expect(() => createIdentity([])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => createIdentity([{ embedding: a }], { combine: "median" as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }),
    );
    expect(createIdentity([{ embedding: a }], { combine: "norm-average" as never }).combine).toBe("norm average");
  });

  it("rejects a reference whose keypoints are not five finite points", () => {
    const bad = kps.slice(0, 4) as unknown as FiveKeypoints;
    expect(() => createIdentity([{ embedding: a, kps: bad, width: 10, height: 10 }])).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
  });
});

describe("identityEmbeds", () => {
  it("shapes the combined tokens as [1, N, D]", () => {
    expect(identityEmbeds(createIdentity([{ embedding: a }, { embedding: b }])).shape).toEqual([1, 1, 4]);
    const norm = identityEmbeds(createIdentity([{ embedding: a }, { embedding: b }], { combine: "norm average" }));
    expect(norm.data[1]).toBeCloseTo(0.5, 6); // (2/2 + 0/2) / 2: each dimension over its norm across references
    const concat = identityEmbeds(createIdentity([{ embedding: a }, { embedding: b }], { combine: "concat" }));
    expect(concat.shape).toEqual([1, 2, 4]);
    expect([...concat.data]).toEqual([1, 2, 3, 4, 3, 0, -3, 0]);
  });
});
