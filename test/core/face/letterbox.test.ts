import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { letterbox, letterboxGeometry } from "../../../core/face/letterbox.js";
import { toNchw } from "../../../core/face/normalize.js";
import { resizeLinear } from "../../../core/face/resize-linear.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

const SCRFD_NORM = { mean: 127.5, std: 128, channelOrder: "RGB" } as const;

describe("letterbox", () => {
  it("fits the wide side, truncates the other and takes det_scale from the heights", () => {
    expect(letterboxGeometry(1826, 1302, 640, 640)).toEqual({ resizedWidth: 640, resizedHeight: 456, detScale: 456 / 1302 });
    expect(letterboxGeometry(477, 1111, 640, 640)).toEqual({ resizedWidth: 274, resizedHeight: 640, detScale: 640 / 1111 });
  });

  it("puts the image top-left in RGB planes as (x - 127.5) / 128 and pads with black", () => {
    const image = { width: 2, height: 1, data: Uint8Array.from([255, 0, 128, 10, 20, 30]) };
    const input = letterbox(image, 2, 2, SCRFD_NORM);
    const norm = (v: number) => Math.fround((v - 127.5) / 128);
    const black = norm(0);
    expect([...input.data]).toEqual([255, 10, 0, 0, 0, 20, 0, 0, 128, 30, 0, 0].map((v, i) => (i % 4 < 2 ? norm(v) : black)));
    expect(input.detScale).toBe(1);
  });

  it("equals resizing with resizeLinear then normalising, when shrinking and when enlarging", () => {
    for (const [w, h] of [
      [97, 61],
      [23, 31],
    ]) {
      const image = { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7919) % 251) };
      const input = letterbox(image, 64, 64, SCRFD_NORM);
      const reference = toNchw(resizeLinear(image, input.resizedWidth, input.resizedHeight), 64, 64, SCRFD_NORM);
      expect(input.data).toEqual(reference);
    }
  });

  it(
    "gives the same tensor on the WebAssembly kernel and, with INSTANTID_SIMD=0, on the JavaScript one (RGB and BGR, padded " +
      "both ways)",
    () => {
      const image = { width: 97, height: 61, data: Uint8Array.from({ length: 97 * 61 * 3 }, (_, i) => (i * 7919) % 251) };
      for (const [w, h, norm] of [
        [64, 64, SCRFD_NORM],
        [40, 72, { mean: 127.5, std: 127.5, channelOrder: "BGR" }],
      ] as const) {
        const simd = letterbox(image, w, h, norm);
        process.env.INSTANTID_SIMD = "0";
        try {
          expect(letterbox(image, w, h, norm).data).toEqual(simd.data);
        } finally {
          delete process.env.INSTANTID_SIMD;
        }
      }
    },
  );

  it("fills a reused array completely: garbage in `into` does not survive (resized, padded and unresized inputs)", () => {
    const image = { width: 97, height: 61, data: Uint8Array.from({ length: 97 * 61 * 3 }, (_, i) => (i * 7919) % 251) };
    for (const [w, h] of [
      [64, 64],
      [40, 72],
      [97, 61],
      [100, 70],
    ]) {
      const fresh = letterbox(image, w, h, SCRFD_NORM);
      for (const simd of [true, false]) {
        if (!simd) process.env.INSTANTID_SIMD = "0";
        try {
          const into = new Float32Array(3 * w * h).fill(Number.NaN);
          const reused = letterbox(image, w, h, SCRFD_NORM, into);
          expect(reused.data).toBe(into);
          expect(reused.data).toEqual(fresh.data);
        } finally {
          delete process.env.INSTANTID_SIMD;
        }
      }
    }
  });

  it("writes BGR planes when asked", () => {
    const image = { width: 1, height: 1, data: Uint8Array.from([255, 0, 0]) };
    const input = letterbox(image, 1, 1, { mean: 0, std: 1, channelOrder: "BGR" });
    expect([...input.data]).toEqual([0, 0, 255]);
  });
});

describeShared("letterboxGeometry against the golden SCRFD cases", "golden/scrfd", () => {
  it("gives every case's resized size and det_scale", () => {
    const cases = JSON.parse(readFileSync(sharedPath("golden", "scrfd", "cases.json"), "utf8")).cases;
    for (const c of cases) {
      const g = letterboxGeometry(c.image_size[0], c.image_size[1], c.input_size[0], c.input_size[1]);
      expect([g.resizedWidth, g.resizedHeight]).toEqual(c.resized_size);
      expect(g.detScale).toBeCloseTo(c.det_scale, 12);
    }
  });
});
