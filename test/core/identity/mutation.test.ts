import { describe, expect, it } from "vitest";
import { InstantIdError } from "../../../core/errors.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { decodeIdentity, encodeIdentity } from "../../../core/identity/file.js";
import { createIdentity } from "../../../core/identity/identity.js";
import { mutate, seededRandom } from "../checkpoint/crafted.js";

const kps: FiveKeypoints = [
  [10, 10],
  [20, 10],
  [15, 15],
  [11, 20],
  [19, 20],
];

describe("identity file mutation runs (seeded)", () => {
  it("a mutated identity file decodes to finite embeddings or fails typed, 500 mutants", () => {
    const original = encodeIdentity(
      createIdentity([{ embedding: Float32Array.from([0.5, -1.25, 3, 7]), kps, width: 64, height: 48 }], {
        models: [{ name: "r.onnx", sha256: "f00d" }],
      }),
    );
    const random = seededRandom(1501);
    let refused = 0;
    for (let run = 0; run < 500; run++) {
      const mutant = mutate(original, random);
      try {
        const identity = decodeIdentity(mutant, `mutant ${run}`);
        expect(identity.embeddings.every((e) => e.every(Number.isFinite))).toBe(true);
      } catch (error) {
        if (!(error instanceof InstantIdError)) throw new Error(`run ${run} failed untyped: ${String(error)}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
