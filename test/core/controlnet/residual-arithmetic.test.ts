import { describe, expect, it } from "vitest";
import { addPlaneInto, addScaledInto, multiplyPlaneInPlace, scaleInPlace } from "../../../core/controlnet/residual-arithmetic.js";
import { tensor } from "../../../core/tensor/tensor.js";

describe("in-place residual arithmetic", () => {
  it("scales every element in place without replacing the buffer, tail included", () => {
    const t = tensor([1, 1, 1, 5], [1, 2, 3, 4, 5]);
    const buffer = t.data;
    scaleInPlace(t, 0.5);
    expect(t.data).toBe(buffer);
    expect([...t.data]).toEqual([0.5, 1, 1.5, 2, 2.5]);
  });

  it("multiplies every channel by the same plane", () => {
    const t = tensor([1, 2, 1, 5], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    multiplyPlaneInPlace(t, new Float32Array([1, 0, 2, 0, 3]));
    expect([...t.data]).toEqual([1, 0, 2, 0, 3, 2, 0, 4, 0, 6]);
  });

  it("accumulates a scaled source, tail included", () => {
    const target = tensor([5], [1, 1, 1, 1, 1]);
    addScaledInto(target, tensor([5], [2, 4, 6, 8, 10]), 0.5);
    expect([...target.data]).toEqual([2, 3, 4, 5, 6]);
  });

  it("accumulates a source times a plane per channel", () => {
    const target = tensor([1, 2, 1, 2], [1, 1, 1, 1]);
    addPlaneInto(target, tensor([1, 2, 1, 2], [4, 4, 8, 8]), new Float32Array([0, 0.5]));
    expect([...target.data]).toEqual([1, 3, 1, 5]);
  });

  it("applies the plane to every channel when channels come in blocks of four plus a remainder", () => {
    const channels = 6;
    const plane = new Float32Array([0.5, 2, -1]);
    const values = Array.from({ length: channels * 3 }, (_, i) => i + 1);
    const t = tensor([1, channels, 1, 3], values);
    multiplyPlaneInPlace(t, plane);
    expect([...t.data]).toEqual(values.map((v, i) => v * plane[i % 3]));
    const sum = tensor([1, channels, 1, 3], new Array(channels * 3).fill(1));
    addPlaneInto(sum, tensor([1, channels, 1, 3], values), plane);
    expect([...sum.data]).toEqual(values.map((v, i) => 1 + v * plane[i % 3]));
  });
});
