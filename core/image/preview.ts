import type { ProgressPreview } from "../progress.js";
import { encodedImageFormat } from "./format.js";
import { encodePng } from "./io.js";
import type { RgbImage } from "./rgb-image.js";

/** How small a preview must be: its longest side and its PNG size. */
export interface PreviewLimits {
  readonly maxSide: number;
  readonly maxBytes: number;
}

/** Below this side a shrunken preview shows nothing worth its bytes: it is dropped instead. */
const SMALLEST_SIDE = 16;

async function sharp() {
  return (await import("sharp")).default;
}

/** A PNG's size from its IHDR chunk (bytes 16–23), without decoding it. */
function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  if (png.length < 24 || String.fromCharCode(...png.subarray(12, 16)) !== "IHDR") return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** A preview of an RGB image (PNG-encoded as it is). */
export async function previewFromImage(image: RgbImage): Promise<ProgressPreview> {
  return { png: new Uint8Array(await encodePng(image)), width: image.width, height: image.height };
}

/**
 * A preview from encoded image bytes a server sent (PNG kept as it is; JPEG, WebP or GIF re-encoded
 * as PNG), or undefined when the bytes are no readable image: a preview is a courtesy, never a failure.
 */
export async function previewFromEncoded(bytes: Uint8Array): Promise<ProgressPreview | undefined> {
  const format = encodedImageFormat(bytes);
  if (!format) return undefined;
  if (format === "png") {
    const size = pngSize(bytes);
    return size && { png: bytes, ...size };
  }
  try {
    const { data, info } = await (await sharp())(bytes).png().toBuffer({ resolveWithObject: true });
    return { png: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}

/**
 * The preview within `limits`: as it is when it fits; else scaled down to `maxSide`, then halved until
 * its PNG fits `maxBytes`; undefined when it would have to shrink below 16 pixels (or cannot be read).
 */
export async function fitPreview(preview: ProgressPreview, limits: PreviewLimits): Promise<ProgressPreview | undefined> {
  const longest = Math.max(preview.width, preview.height);
  if (longest <= limits.maxSide && preview.png.byteLength <= limits.maxBytes) return preview;
  const factory = await sharp();
  for (let side = Math.min(longest, limits.maxSide); side >= SMALLEST_SIDE; side = Math.floor(side / 2)) {
    try {
      const { data, info } = await factory(preview.png)
        .resize({ width: side, height: side, fit: "inside" })
        .png({ compressionLevel: 9 })
        .toBuffer({ resolveWithObject: true });
      if (data.byteLength <= limits.maxBytes)
        return { png: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
