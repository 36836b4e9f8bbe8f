import { describe, expect, it } from "vitest";
import { scaleResidual } from "../../../core/identitynet/scale.js";
import { tensor } from "../../../core/tensor/tensor.js";

describe("scaleResidual", () => {
  it("scales in place without replacing the buffer", () => {
    const t = tensor([1, 1, 1, 2], [1, 2]);
    const buffer = t.data;
    scaleResidual(t, 0.5);
    expect(t.data).toBe(buffer);
    expect([...t.data]).toEqual([0.5, 1]);
  });

  it("multiplies every channel by the same mask plane", () => {
    const t = tensor([1, 2, 1, 2], [1, 1, 2, 2]);
    scaleResidual(t, 2, new Float32Array([1, 0]));
    expect([...t.data]).toEqual([2, 0, 4, 0]);
  });

  it("accumulates a scaled, masked source into the target", () => {
    const target = tensor([1, 1, 1, 2], [1, 1]);
    scaleResidual(target, 0.5, new Float32Array([0, 1]), tensor([1, 1, 1, 2], [4, 4]));
    expect([...target.data]).toEqual([1, 3]);
  });
});
