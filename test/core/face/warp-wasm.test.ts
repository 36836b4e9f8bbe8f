import { describe, expect, it } from "vitest";
import { NchwTensor } from "../../../core/face/normalize.js";
import type { AffineMatrix } from "../../../core/face/similarity.js";
import { warpAffine } from "../../../core/face/warp-affine.js";
import { warpAffineWasm } from "../../../core/face/warp-wasm.js";
import type { RgbImage } from "../../../core/image/rgb-image.js";

function randomImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width, height, data };
}

/** A similarity (scale, angle, then translation) as alignment makes them, or any affine matrix given whole. */
function similarity(scale: number, degrees: number, tx: number, ty: number): AffineMatrix {
  const [c, s] = [scale * Math.cos((degrees * Math.PI) / 180), scale * Math.sin((degrees * Math.PI) / 180)];
  return [
    [c, -s, tx],
    [s, c, ty],
  ];
}

const ARCFACE = { mean: 127.5, std: 127.5, channelOrder: "RGB" } as const;
const RAW_BGR = { mean: 0, std: 1, channelOrder: "BGR" } as const;

const cases: [string, RgbImage, AffineMatrix, number][] = [
  ["a face well inside a photo, shrunk and turned", randomImage(400, 300, 1), similarity(0.31, 12, -20, -15), 112],
  ["a face crossing the photo's left and top edges (black border)", randomImage(200, 160, 2), similarity(0.6, -25, 40, 35), 112],
  ["a face crossing the right and bottom edges", randomImage(200, 160, 3), similarity(0.7, 170, 190, 150), 112],
  ["a small photo enlarged past every edge", randomImage(37, 29, 4), similarity(3.3, 33, 5, -8), 112],
  ["a crop partly off a one-pixel-wide photo", randomImage(1, 40, 5), similarity(2, 90, 60, 10), 64],
  [
    "a shear and a reflection (any affine matrix)",
    randomImage(120, 90, 6),
    [
      [0.8, 0.3, -10],
      [-0.2, -0.9, 100],
    ],
    96,
  ],
  ["exact 1/32 positions (no fraction)", randomImage(80, 80, 7), similarity(1, 0, -3, -4), 48],
];

describe("warpAffineWasm", () => {
  for (const [what, image, matrix, size] of cases) {
    for (const norm of [ARCFACE, RAW_BGR]) {
      it(`writes the planes warpAffine's crop gives, bit for bit: ${what}, ${norm.channelOrder} (mean ${norm.mean})`, () => {
        const expected = new NchwTensor(size, size, norm);
        expected.writeImage(warpAffine(image, matrix, size, size));
        const tensor = new NchwTensor(size, size, norm, new Float32Array(3 * size * size).fill(Number.NaN));
        expect(warpAffineWasm(image, matrix, size, size, tensor)).toBe(true);
        expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(expected.data.buffer))).toBe(true);
      });
    }
  }

  it("declines (writing nothing) when no output pixel samples the photo, and while INSTANTID_SIMD=0 asks for JavaScript", () => {
    const image = randomImage(50, 50, 8);
    const tensor = new NchwTensor(16, 16, ARCFACE, new Float32Array(3 * 16 * 16).fill(7));
    expect(warpAffineWasm(image, similarity(1, 0, 500, 500), 16, 16, tensor)).toBe(false);
    process.env.INSTANTID_SIMD = "0";
    try {
      expect(warpAffineWasm(image, similarity(1, 0, 0, 0), 16, 16, tensor)).toBe(false);
    } finally {
      delete process.env.INSTANTID_SIMD;
    }
    expect(tensor.data.every((v) => v === 7)).toBe(true);
  });
});
