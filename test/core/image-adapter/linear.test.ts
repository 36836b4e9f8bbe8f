import { describe, expect, it } from "vitest";
import { linear, linearJs } from "../../../core/image-adapter/linear.js";
import { pinWeights, wasmGemmAvailable, wasmHelperReady } from "../../../core/image-adapter/gemm-wasm.js";
import { availableParallelism } from "node:os";
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

  it("agrees between the SIMD kernel and the JavaScript loop on padded shapes", () => {
    expect(wasmGemmAvailable()).toBe(true);
    const x = values(21 * 77, 4);
    const w = values(33 * 77, 5);
    assertClose(linear(x, 21, w, 33), linearJs(x, 21, w, 33), { abs: 1e-5, rel: 1e-5 }, "wasm vs js");
  });

  it.runIf(availableParallelism() > 1)("splits a large product with the helper thread and still matches the JavaScript loop", async () => {
    for (let i = 0; i < 100 && !wasmHelperReady(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wasmHelperReady()).toBe(true);
    const x = values(18 * 512, 6);
    const w = values(602 * 512, 7);
    assertClose(linear(x, 18, w, 602), linearJs(x, 18, w, 602), { abs: 1e-5, rel: 1e-5 }, "split product");
  });

  it("gives the same product with a pinned weight, including after other products reuse the scratch memory", () => {
    const w = values(63 * 130, 8); // 9 × 63 × 130 multiply-adds: large enough for the kernel
    const x = values(9 * 130, 9);
    const before = linearJs(x, 9, w, 63);
    expect(pinWeights(w, 63)).toBe(true);
    linear(values(40 * 64, 10), 40, values(64 * 64, 11), 64);
    assertClose(linear(x, 9, w, 63), before, { abs: 1e-5, rel: 1e-5 }, "pinned");
  });

  it("writes into a caller's buffer", () => {
    const out = new Float32Array(2);
    expect(linear(Float32Array.of(1, 2), 1, Float32Array.of(1, 1, 2, -1), 2, undefined, out)).toBe(out);
    expect([...out]).toEqual([3, 0]);
  });
});
