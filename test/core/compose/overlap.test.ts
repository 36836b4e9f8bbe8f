import { describe, expect, it } from "vitest";
import { findOverlaps, resolveOverlaps } from "../../../core/compose/overlap.js";

const mask = (values: number[]) => ({ width: values.length, height: 1, data: Float32Array.from(values) });

describe("overlapping regions", () => {
  it("findOverlaps counts pixels summing past 1 and the pairs sharing them", () => {
    const r = findOverlaps([mask([1, 1, 0, 0]), mask([0, 1, 1, 0]), mask([0, 0, 0.5, 1])]);
    expect(r.pixels).toBe(2);
    expect(r.pairs).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it("disjoint masks come back unchanged and without a warning in every mode", () => {
    for (const mode of ["normalize", "reject", "allow"] as const) {
      const r = resolveOverlaps([mask([1, 0]), mask([0, 1])], mode, ["a", "b"]);
      expect(r.warning).toBeUndefined();
      expect(Array.from(r.masks[1].data)).toEqual([0, 1]);
    }
  });

  it("normalize divides by the sum where it exceeds 1 and warns", () => {
    const r = resolveOverlaps([mask([1, 1, 0.5]), mask([0, 1, 0.25])], "normalize", ["Ann", "Bob"]);
    expect(Array.from(r.masks[0].data)).toEqual([1, 0.5, 0.5]);
    expect(Array.from(r.masks[1].data)).toEqual([0, 0.5, 0.25]);
    expect(r.warning).toMatchObject({
      code: "MASKS_OVERLAP",
      message: expect.stringMatching(/Ann and Bob overlap on 1 pixels.*normalized/),
    });
  });

  it("reject throws INVALID_INPUT naming the identities", () => {
    expect(() => resolveOverlaps([mask([1, 1]), mask([0, 1])], "reject", ["Ann", "Bob"])).toThrow(
      expect.objectContaining({
        code: "INVALID_INPUT",
        message: expect.stringMatching(/Ann and Bob overlap/),
        details: expect.objectContaining({ reason: "MASKS_OVERLAP" }),
      }),
    );
  });

  it("allow keeps the masks and warns", () => {
    const r = resolveOverlaps([mask([1, 1]), mask([0, 1])], "allow", ["a", "b"]);
    expect(Array.from(r.masks[0].data)).toEqual([1, 1]);
    expect(r.warning?.code).toBe("MASKS_OVERLAP");
  });
});
