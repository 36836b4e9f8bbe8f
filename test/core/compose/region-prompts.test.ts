import { describe, expect, it } from "vitest";
import { createComposition } from "../../../core/compose/compose.js";
import { compositionRegionMasks } from "../../../core/compose/region-prompts.js";
import { createIdentity } from "../../../core/identity/identity.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);

describe("compositionRegionMasks", () => {
  const halves = createComposition({
    width: 16,
    height: 8,
    prompt: "two people",
    identities: [
      { identity: person(1), region: { rect: [0, 0, 8, 8] }, prompt: "red hat" },
      { identity: person(2), region: { rect: [8, 0, 16, 8] } },
      { identity: person(3), region: { rect: [4, 0, 12, 4] }, prompt: "blue scarf", name: "carol" },
    ],
  });

  it("gives the identities with a prompt by default, in order, with their names, prompts and the masks toLocalHooks uses", () => {
    const regions = compositionRegionMasks(halves);
    expect(regions.map((r) => [r.identity, r.name, r.prompt])).toEqual([
      [0, "identity 1", "red hat"],
      [2, "carol", "blue scarf"],
    ]);
    expect(regions[0].mask).toEqual(halves.identities[0].mask);
    expect(regions[1].mask).toEqual(halves.identities[2].mask);
    // "normalize" already shared the overlap: identity 1 and carol both 0.5 at (5, 0).
    expect(regions[0].mask.data[5]).toBe(0.5);
    expect(regions[1].mask.data[5]).toBe(0.5);
  });

  it("gives the identities asked for, prompt or not", () => {
    expect(compositionRegionMasks(halves, [1]).map((r) => [r.identity, r.prompt])).toEqual([[1, undefined]]);
  });

  it(
    'with overlap "allow", divides prompted masks by every identity\'s mask sum where they overlap (as ComfyUI averages masked ' +
      "conditionings)",
    () => {
      const allowed = createComposition({
        width: 8,
        height: 8,
        prompt: "",
        overlap: "allow",
        identities: [
          { identity: person(1), region: { rect: [0, 0, 6, 8] }, prompt: "left" },
          { identity: person(2), region: { rect: [2, 0, 8, 8] } },
        ],
      });
      const [left] = compositionRegionMasks(allowed);
      expect([...left.mask.data.slice(0, 8)]).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0, 0]);
      expect(allowed.identities[0].mask.data[2]).toBe(1); // the hooks' mask is untouched
    },
  );

  it(
    "scales a soft region up to 1 where no other region covers the pixel and keeps uncovered pixels at 0 (ComfyUI divides by " +
      "the masks' sum)",
    () => {
      const soft = createComposition({
        width: 8,
        height: 8,
        prompt: "",
        identities: [
          {
            identity: person(1),
            region: { mask: { width: 8, height: 8, data: Float32Array.from({ length: 64 }, (_, p) => (p % 8 < 4 ? 0.5 : 0)) } },
            prompt: "left",
          },
          {
            identity: person(2),
            region: {
              mask: { width: 8, height: 8, data: Float32Array.from({ length: 64 }, (_, p) => (p % 8 === 3 ? 0.25 : p % 8 > 5 ? 1 : 0)) },
            },
          },
        ],
      });
      const [left] = compositionRegionMasks(soft);
      expect([...left.mask.data.slice(0, 8)]).toEqual([1, 1, 1, 0.5 / 0.75, 0, 0, 0, 0].map(Math.fround));
    },
  );

  it("refuses an index that is not an identity, or one given twice", () => {
    expect(() => compositionRegionMasks(halves, [3])).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringContaining("0…2") }),
    );
    expect(() => compositionRegionMasks(halves, [0, 0])).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
});
