import { describe, expect, it } from "vitest";
import { tensor } from "../../../core/tensor/tensor.js";
import { detectRows } from "../../../adapters/diffusers-js/batch-order.js";

describe("detectRows", () => {
  const twoRows = (first: number, second: number) => tensor([2, 3], [first, first, first, second, second, second]);

  it("treats a single row as the conditional pass", () => {
    expect(detectRows(tensor([1, 3], [1, 2, 3]), "auto")).toEqual(["cond"]);
  });

  it("treats a single all-zero row as the unconditional pass", () => {
    expect(detectRows(tensor([1, 3]), "auto")).toEqual(["uncond"]);
  });

  it("labels separate one-row calls by their order within the step", () => {
    const one = tensor([1, 3], [1, 2, 3]);
    expect([0, 1].map((call) => detectRows(one, "auto", "uncond-first", call))).toEqual([["uncond"], ["cond"]]);
    expect([0, 1].map((call) => detectRows(one, "auto", "cond-first", call))).toEqual([["cond"], ["uncond"]]);
  });

  it("assumes diffusers' [uncond, cond] when neither row is zero", () => {
    expect(detectRows(twoRows(0.5, 0.7), "auto")).toEqual(["uncond", "cond"]);
  });

  it("takes an all-zero second row as the empty negative prompt", () => {
    expect(detectRows(twoRows(0.5, 0), "auto")).toEqual(["cond", "uncond"]);
  });

  it("obeys a fixed order", () => {
    expect(detectRows(twoRows(0.5, 0.7), "cond-uncond")).toEqual(["cond", "uncond"]);
  });
});
