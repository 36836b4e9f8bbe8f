import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { InstantIdError } from "../../../core/errors.js";
import { loadImage } from "../../../core/image/io.js";
import { mutate, seededRandom } from "../checkpoint/crafted.js";

async function photo(format: "png" | "jpeg" | "webp"): Promise<Buffer> {
  const data = Buffer.alloc(32 * 24 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0xff;
  return sharp(data, { raw: { width: 32, height: 24, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

describe("image mutation runs (seeded)", () => {
  it("a mutated PNG, JPEG or WebP decodes to a consistent RGB image or fails typed, 150 mutants each", async () => {
    for (const [format, seed] of [
      ["png", 1],
      ["jpeg", 2],
      ["webp", 3],
    ] as const) {
      const original = await photo(format);
      const random = seededRandom(seed);
      for (let run = 0; run < 150; run++) {
        const mutant = mutate(original, random);
        try {
          const image = await loadImage(mutant);
          expect(image.data.length).toBe(image.width * image.height * 3);
        } catch (error) {
          if (!(error instanceof InstantIdError)) throw new Error(`${format} run ${run} failed untyped: ${String(error)}`);
          expect(error.code).toBe("IMAGE_UNREADABLE");
        }
      }
    }
  });

  it("refuses raw pixels with a channel count other than 1, 3 or 4", async () => {
    for (const channels of [0, 2, 5]) {
      const error = await loadImage({ width: 2, height: 2, channels: channels as 3, data: new Uint8Array(4 * channels) }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InstantIdError);
      expect((error as InstantIdError).message).toContain("channels");
    }
  });
});
