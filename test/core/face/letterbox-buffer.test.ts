import { describe, expect, it } from "vitest";
import { letterbox } from "../../../core/face/letterbox.js";
import { LetterboxBuffer, LetterboxPool } from "../../../core/face/letterbox-buffer.js";
import type { PixelNormalization } from "../../../core/face/normalize.js";
import type { RgbImage } from "../../../core/image/rgb-image.js";

const SCRFD_NORM = { mean: 127.5, std: 128, channelOrder: "RGB" } as const;
const ARCFACE_NORM = { mean: 127.5, std: 127.5, channelOrder: "BGR" } as const;

function image(width: number, height: number, seed: number): RgbImage {
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => ((i + seed) * 7919) % 251) };
}

function withJavaScriptKernel<T>(fn: () => T): T {
  process.env.INSTANTID_SIMD = "0";
  try {
    return fn();
  } finally {
    delete process.env.INSTANTID_SIMD;
  }
}

/** Fills, in order, as a detector with one buffer would, each result compared with a fresh letterbox. */
const sequence: [RgbImage, number, number, PixelNormalization][] = [
  [image(97, 61, 1), 64, 64, SCRFD_NORM], // wide: padded below
  [image(61, 97, 2), 64, 64, SCRFD_NORM], // tall: padded right, where the previous one had pixels
  [image(61, 97, 3), 64, 64, SCRFD_NORM], // the same layout again: the padding is kept, not rewritten
  [image(23, 31, 4), 64, 64, SCRFD_NORM], // enlarged
  [image(64, 40, 5), 64, 64, SCRFD_NORM], // not resized at all
  [image(97, 61, 6), 48, 48, SCRFD_NORM], // a smaller input, as a retry at a smaller size
  [image(97, 61, 7), 80, 72, ARCFACE_NORM], // a larger one, with looked-up values in BGR order
  [image(97, 61, 8), 64, 64, SCRFD_NORM],
];

describe("LetterboxBuffer", () => {
  it("gives, fill after fill, exactly the tensor and geometry a fresh letterbox gives (padding rewritten when the layout moves)", () => {
    const buffer = new LetterboxBuffer();
    for (const [source, w, h, norm] of sequence) {
      const filled = buffer.fill(source, w, h, norm);
      const fresh = letterbox(source, w, h, norm);
      expect(filled.data.length).toBe(3 * w * h);
      expect(filled.data).toEqual(fresh.data);
      expect({ ...filled, data: undefined }).toEqual({ ...fresh, data: undefined });
    }
  });

  it("keeps one buffer's tensor intact while another buffer fills (each has its own kernel memory)", () => {
    const [a, b] = [new LetterboxBuffer(), new LetterboxBuffer()];
    const first = a.fill(image(97, 61, 1), 64, 64, SCRFD_NORM).data;
    const kept = first.slice();
    b.fill(image(200, 300, 2), 128, 128, SCRFD_NORM);
    expect(first).toEqual(kept);
  });

  it("gives the same tensors on the JavaScript kernel (INSTANTID_SIMD=0), in an array it reuses", () => {
    const buffer = withJavaScriptKernel(() => new LetterboxBuffer());
    let previous: Float32Array | undefined;
    for (const [source, w, h, norm] of sequence.slice(0, 3)) {
      const filled = withJavaScriptKernel(() => buffer.fill(source, w, h, norm));
      expect(filled.data).toEqual(letterbox(source, w, h, norm).data);
      if (previous) expect(filled.data).toBe(previous);
      previous = filled.data;
    }
  });
});

describe("LetterboxPool", () => {
  it("hands a released buffer out again, a new one while it is taken, and keeps at most the given number idle", () => {
    const pool = new LetterboxPool(1);
    const a = pool.acquire();
    const b = pool.acquire();
    expect(b).not.toBe(a);
    pool.release(a);
    pool.release(b);
    expect(pool.acquire()).toBe(a);
    expect(pool.acquire()).not.toBe(b);
  });
});
