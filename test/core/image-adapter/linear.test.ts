import { describe, expect, it } from "vitest";
import { linear } from "../../../core/image-adapter/linear.js";
import { assertClose } from "../../helpers/assert-close.js";

function naive(x: Float32Array, rows: number, w: Float32Array, outDim: number, bias?: Float32Array): Float32Array {
  const inDim = w.length / outDim;
  const y = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[o * inDim + i];
      y[r * outDim + o] = s;
    }
  return y;
}

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);

describe("linear", () => {
  it.each([
    [1, 1, 1],
    [5, 9, 7],
    [16, 33, 12],
    [17, 64, 130],
    [18, 130, 67],
    [32, 256, 96],
  ])("matches the plain triple loop for %i rows, %i inputs, %i outputs (edges of the 4×4 blocks)", (rows, inDim, outDim) => {
    const x = values(rows * inDim, 1);
    const w = values(outDim * inDim, 2);
    const b = values(outDim, 3);
    assertClose(linear(x, rows, w, outDim, b), naive(x, rows, w, outDim, b), { abs: 1e-5, rel: 1e-5 }, "linear");
  });

  it("writes into a caller's buffer", () => {
    const out = new Float32Array(2);
    expect(linear(Float32Array.of(1, 2), 1, Float32Array.of(1, 1, 2, -1), 2, undefined, out)).toBe(out);
    expect([...out]).toEqual([3, 0]);
  });
});
