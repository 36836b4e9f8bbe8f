import { ErrorCode, InstantIdError } from "../errors.js";

/** The encoded image formats servers return, by their file signatures. */
export type EncodedImageFormat = "png" | "jpeg" | "webp" | "gif";

/** Names the format of encoded image bytes from their signature, or undefined when they are not an image. */
export function encodedImageFormat(bytes: Uint8Array): EncodedImageFormat | undefined {
  const at = (offset: number, text: string) => text.split("").every((c, i) => bytes[offset + i] === c.charCodeAt(0));
  if (bytes.length >= 8 && bytes[0] === 0x89 && at(1, "PNG\r\n\x1a\n")) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 12 && at(0, "RIFF") && at(8, "WEBP")) return "webp";
  if (bytes.length >= 6 && (at(0, "GIF87a") || at(0, "GIF89a"))) return "gif";
  return undefined;
}

/**
 * Refuses bytes a server handed back as an image when they are not one (an HTML error page, JSON, a
 * truncated transfer's first bytes): SERVER error quoting their start, so nothing is saved as out.png.
 */
export function assertEncodedImage(bytes: Uint8Array, what: string): EncodedImageFormat {
  const format = encodedImageFormat(bytes);
  if (format) return format;
  const start = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 60)).replace(/[^\x20-\x7e]/g, ".");
  throw new InstantIdError(
    ErrorCode.Server,
    `${what} is not an image (${bytes.length} bytes starting ${JSON.stringify(start)}); nothing was saved`,
    {
      details: { bytes: bytes.length, start },
    },
  );
}
