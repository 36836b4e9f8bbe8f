import type { RgbImage } from "../image/rgb-image.js";

/** How a network wants its pixels: (x - mean) / std per channel, in RGB or BGR plane order. */
export interface PixelNormalization {
  readonly mean: number;
  readonly std: number;
  readonly channelOrder: "RGB" | "BGR";
}

/** The 256 possible normalised values of a byte, computed as OpenCV's blobFromImage does: (x - mean) * (1 / std). */
export function normalizationTable(norm: PixelNormalization): Float32Array {
  const table = new Float32Array(256);
  const scale = 1 / norm.std;
  for (let v = 0; v < 256; v++) table[v] = (v - norm.mean) * scale;
  return table;
}

/**
 * Writes an RGB image into the top-left corner of an NCHW float32 tensor [1, 3, height, width]
 * of normalised pixels; the rest is the value of a black pixel (insightface's letterbox padding).
 */
export function toNchw(image: RgbImage, width: number, height: number, norm: PixelNormalization): Float32Array {
  const table = normalizationTable(norm);
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  if (image.width < width || image.height < height) out.fill(table[0]);
  const [p0, p1, p2] = norm.channelOrder === "RGB" ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
  const src = image.data;
  for (let y = 0; y < image.height; y++) {
    let s = y * image.width * 3;
    let d = y * width;
    for (let x = 0; x < image.width; x++, s += 3, d++) {
      out[p0 + d] = table[src[s]];
      out[p1 + d] = table[src[s + 1]];
      out[p2 + d] = table[src[s + 2]];
    }
  }
  return out;
}
