import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Base64Decoder } from "../../../adapters/net/index.js";
import { InstantIdError } from "../../../core/index.js";

/** Decodes `text` pushed in pieces of `size` characters. */
function decodeInPieces(text: string, size: number): Buffer {
  const decoder = new Base64Decoder("Image 1");
  const out: Buffer[] = [];
  for (let at = 0; at < text.length; at += size) out.push(decoder.push(text.slice(at, at + size)));
  out.push(decoder.end());
  return Buffer.concat(out);
}

function refusal(text: string, size = 4): InstantIdError {
  try {
    decodeInPieces(text, size);
  } catch (error) {
    expect(error).toBeInstanceOf(InstantIdError);
    return error as InstantIdError;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

describe("Base64Decoder", () => {
  it("decodes to the same bytes as Buffer.from, however the text is cut", () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = randomBytes(length);
      const text = bytes.toString("base64");
      for (const size of [1, 2, 3, 5, 64, 10_000]) expect(decodeInPieces(text, size).equals(bytes)).toBe(true);
      expect(decodeInPieces(text.replace(/=+$/, ""), 3).equals(bytes)).toBe(true); // unpadded
    }
  });

  it("drops a data URL prefix, as some servers send images", () => {
    const bytes = randomBytes(50);
    expect(decodeInPieces(`data:image/png;base64,${bytes.toString("base64")}`, 1000).equals(bytes)).toBe(true);
  });

  it("refuses characters outside the alphabets instead of skipping them as Buffer.from does", () => {
    const error = refusal("iVBO Rw0K");
    expect(error.code).toBe("SERVER");
    expect(error.message).toBe('Image 1 is not base64 (it holds " "); nothing was saved');
    expect(refusal("iVBO*w0K").message).toContain('"*"');
  });

  it("reads the URL-safe alphabet and skips line breaks, as Buffer.from does", () => {
    const bytes = randomBytes(300);
    const wrapped = bytes.toString("base64").replace(/.{76}/g, "$&\n");
    expect(decodeInPieces(wrapped, 50).equals(bytes)).toBe(true);
    expect(decodeInPieces(bytes.toString("base64url"), 7).equals(bytes)).toBe(true);
  });

  it("refuses text after the padding, even when the padding ends a piece", () => {
    expect(refusal("QQ==QUJD", 100).message).toContain("text follows its padding");
    expect(refusal("QQ==QUJD", 4).message).toContain("text follows its padding");
    expect(decodeInPieces("QUJDRA==", 7).toString()).toBe("ABCD"); // the padding itself may be cut in two
  });

  it("refuses text one character short of a byte, and padding that does not fit", () => {
    expect(refusal("QUJDR", 100).message).toContain("one character short");
    expect(refusal("QUJDRA=", 100).message).toContain("its 1 padding characters do not fit");
    expect(refusal("QUJDRA===", 7).message).toContain("its 3 padding characters do not fit"); // padding cut across pieces
    expect(refusal("QUJDQ===", 100).message).toContain("one character short");
  });
});
