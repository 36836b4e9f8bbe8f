import type { RgbImage } from "../image/rgb-image.js";
import type { PlanarTarget } from "./planar-target.js";

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

/** Plane offsets of R, G and B in an NCHW tensor of `plane` pixels per channel. */
function _planeOffsets(plane: number, order: PixelNormalization["channelOrder"]): [number, number, number] {
  return order === "RGB" ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
}

/**
 * An NCHW float tensor [1, 3, height, width] that images are written into top-left, normalised through a table;
 * {@link NchwTensor.padOutside} then gives everything else the value of a black pixel (insightface's letterbox padding).
 */
export class NchwTensor implements PlanarTarget {
  readonly data: Float32Array;
  readonly table: Float32Array;
  readonly planes: readonly [number, number, number];
  readonly rowStride: number;

  /** `data`, when given, is adopted as the tensor's storage (a [3, height, width] array). */
  constructor(
    width: number,
    private readonly height: number,
    norm: PixelNormalization,
    data?: Float32Array,
  ) {
    this.table = normalizationTable(norm);
    this.data = data ?? new Float32Array(width * height * 3);
    this.rowStride = width;
    const plane = width * height;
    this.planes = norm.channelOrder === "RGB" ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
  }

  /** Writes an interleaved RGB image at the top-left. */
  writeImage(image: RgbImage): void {
    const { data, table, rowStride } = this;
    const [r, g, b] = this.planes;
    const src = image.data;
    for (let y = 0, s = 0; y < image.height; y++) {
      const row = y * rowStride;
      for (let x = row, end = row + image.width; x < end; x++, s += 3) {
        data[r + x] = table[src[s]];
        data[g + x] = table[src[s + 1]];
        data[b + x] = table[src[s + 2]];
      }
    }
  }

  /** Fills everything right of `width` and below `height` with the black-pixel value and returns the data. */
  padOutside(width: number, height: number): Float32Array {
    const { data, rowStride } = this;
    const black = this.table[0];
    for (const p of this.planes) {
      if (width < rowStride) for (let y = 0; y < height; y++) data.fill(black, p + y * rowStride + width, p + (y + 1) * rowStride);
      data.fill(black, p + height * rowStride, p + this.height * rowStride);
    }
    return data;
  }
}

/**
 * Writes an RGB image into the top-left corner of an NCHW float32 tensor [1, 3, height, width]
 * of normalised pixels; the rest is the value of a black pixel (insightface's letterbox padding).
 * Writes into `into` (of that size) when given.
 */
export function toNchw(image: RgbImage, width: number, height: number, norm: PixelNormalization, into?: Float32Array): Float32Array {
  const tensor = new NchwTensor(width, height, norm, into);
  tensor.writeImage(image);
  return tensor.padOutside(image.width, image.height);
}
