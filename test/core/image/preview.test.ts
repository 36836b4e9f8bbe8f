import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { fitPreview, previewFromEncoded, previewFromImage } from "../../../core/image/preview.js";

/** A noisy RGB picture (noise keeps its PNG large, so size limits bite). */
function noisy(width: number, height: number) {
  let state = 12345;
  const data = Uint8Array.from({ length: width * height * 3 }, () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) & 0xff);
  return { width, height, data };
}

describe("progress previews (core/image/preview)", () => {
  it("encodes an RGB image as PNG with its size", async () => {
    const preview = await previewFromImage(noisy(20, 10));
    expect(preview).toMatchObject({ width: 20, height: 10 });
    expect((await sharp(preview.png).metadata()).format).toBe("png");
  });

  it("keeps PNG bytes as they are (size from IHDR), re-encodes JPEG as PNG, and answers undefined for bytes that are no image", async () => {
    const png = new Uint8Array(
      await sharp(Buffer.from(noisy(30, 12).data), { raw: { width: 30, height: 12, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const fromPng = await previewFromEncoded(png);
    expect(fromPng).toEqual({ png, width: 30, height: 12 });
    const jpeg = await sharp(Buffer.from(noisy(16, 24).data), { raw: { width: 16, height: 24, channels: 3 } })
      .jpeg()
      .toBuffer();
    const fromJpeg = await previewFromEncoded(jpeg);
    expect(fromJpeg).toMatchObject({ width: 16, height: 24 });
    expect((await sharp(fromJpeg!.png).metadata()).format).toBe("png");
    expect(await previewFromEncoded(new TextEncoder().encode("<html>busy</html>"))).toBeUndefined();
    expect(await previewFromEncoded(Uint8Array.from([0xff, 0xd8, 0xff, 0, 1, 2]))).toBeUndefined(); // a JPEG's start only
  });

  it(
    "fits a preview into the limits: as it is when it fits, scaled to the longest side, halved until its PNG fits, dropped " +
      "below 16 px",
    async () => {
      const small = await previewFromImage(noisy(32, 16));
      expect(await fitPreview(small, { maxSide: 64, maxBytes: 1 << 20 })).toBe(small);
      const big = await previewFromImage(noisy(200, 100));
      const scaled = await fitPreview(big, { maxSide: 64, maxBytes: 1 << 20 });
      expect(scaled).toMatchObject({ width: 64, height: 32 });
      const squeezed = await fitPreview(big, { maxSide: 256, maxBytes: 2000 });
      expect(squeezed!.png.byteLength).toBeLessThanOrEqual(2000);
      expect(squeezed!.width).toBeLessThan(200);
      expect(squeezed!.width / squeezed!.height).toBeCloseTo(2, 0); // the aspect kept, up to rounding
      expect(await fitPreview(big, { maxSide: 256, maxBytes: 10 })).toBeUndefined();
    },
  );
});
