import { describe, expect, it } from "vitest";
import { axisTable } from "../../../core/face/resize-axis.js";
import { resizeLinearJs } from "../../../core/face/resize-linear-js.js";
import { affineOf, resizeLinearWasm, wasmResizeAvailable } from "../../../core/face/resize-wasm.js";
import { normalizationTable } from "../../../core/face/normalize.js";
import type { RgbImage } from "../../../core/image/rgb-image.js";

function randomImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width, height, data };
}

/** Resizes with both kernels into padded planes (rowStride wider than the output, BGR order) and returns both buffers. */
function bothKernels(
  image: RgbImage,
  width: number,
  height: number,
  table: Float32Array,
): { js: Float32Array; wasm: Float32Array; ran: boolean } {
  const rowStride = width + 3;
  const plane = rowStride * (height + 1);
  const target = (data: Float32Array) => ({ data, planes: [2 * plane, plane, 0] as const, rowStride, table });
  const xs = axisTable(image.width, width, true, 3);
  const ys = axisTable(image.height, height, false, 1);
  const js = new Float32Array(plane * 3).fill(7);
  const wasm = new Float32Array(plane * 3).fill(7);
  resizeLinearJs(image, xs, ys, target(js));
  const ran = resizeLinearWasm(image, xs, ys, target(wasm));
  return { js, wasm, ran };
}

describe("resizeLinearWasm", () => {
  it("runs here (WebAssembly SIMD is available on Node 20)", () => {
    expect(wasmResizeAvailable()).toBe(true);
  });

  const sizes: [string, number, number, number, number][] = [
    ["shrinking a photo into a letterbox", 1200, 900, 640, 480],
    ["shrinking by a non-integer factor, portrait", 626, 1200, 333, 640],
    ["enlarging a small face crop", 250, 250, 640, 640],
    ["enlarging by an odd factor", 37, 23, 101, 77],
    ["a width of four pixels at a time and three left over", 300, 200, 203, 150],
    ["a one-pixel-wide source", 1, 50, 9, 20],
    ["a one-pixel output", 40, 30, 1, 1],
    ["stretching one axis and shrinking the other", 300, 40, 90, 200],
  ];
  const tables = {
    "looked up (ArcFace's (x - 127.5) / 127.5)": normalizationTable({ mean: 127.5, std: 127.5, channelOrder: "BGR" }),
    "computed (SCRFD's (x - 127.5) / 128)": normalizationTable({ mean: 127.5, std: 128, channelOrder: "RGB" }),
  };
  for (const [what, sw, sh, dw, dh] of sizes) {
    for (const [normalised, table] of Object.entries(tables)) {
      it(
        `is bit-identical to the JavaScript kernel: ${what} (${sw}x${sh} → ${dw}x${dh}), values ${normalised}, writing only the ` +
          `resized area`,
        () => {
          const { js, wasm, ran } = bothKernels(randomImage(sw, sh, sw * 31 + dh), dw, dh, table);
          expect(ran).toBe(true);
          expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
        },
      );
    }
  }

  it("computes values in float32 only when that reproduces every table entry to the bit", () => {
    expect(affineOf(normalizationTable({ mean: 127.5, std: 128, channelOrder: "RGB" }))).toEqual({ mean: 127.5, scale: 1 / 128 });
    expect(affineOf(normalizationTable({ mean: 0, std: 1, channelOrder: "RGB" }))).toEqual({ mean: 0, scale: 1 });
    expect(affineOf(normalizationTable({ mean: 127.5, std: 127.5, channelOrder: "RGB" }))).toBeUndefined();
  });
});
