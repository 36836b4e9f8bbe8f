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

/** Plane offsets of R, G and B in an NCHW tensor of `plane` pixels per channel. */
function planeOffsets(plane: number, order: PixelNormalization["channelOrder"]): [number, number, number] {
  return order === "RGB" ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
}

/** Writes NCHW float planes from interleaved RGB rows, looked up in a normalisation table. */
export class PlaneWriter {
  readonly data: Float32Array;
  private readonly table: Float32Array;
  private readonly offsets: [number, number, number];

  /** An NCHW [1, 3, height, width] tensor filled with the value of a black pixel (insightface's letterbox padding). */
  constructor(
    private readonly width: number,
    height: number,
    norm: PixelNormalization,
  ) {
    this.table = normalizationTable(norm);
    this.data = new Float32Array(width * height * 3).fill(this.table[0]);
    this.offsets = planeOffsets(width * height, norm.channelOrder);
  }

  /** Writes one interleaved RGB row of `pixels` pixels at row `y`, left-aligned. */
  writeRow(y: number, row: Uint8Array, pixels: number, rowStart = 0): void {
    const { data, table } = this;
    const d = y * this.width;
    const [p0, p1, p2] = [this.offsets[0] + d, this.offsets[1] + d, this.offsets[2] + d];
    for (let x = 0, s = rowStart; x < pixels; x++, s += 3) {
      data[p0 + x] = table[row[s]];
      data[p1 + x] = table[row[s + 1]];
      data[p2 + x] = table[row[s + 2]];
    }
  }
}

/**
 * Writes an RGB image into the top-left corner of an NCHW float32 tensor [1, 3, height, width]
 * of normalised pixels; the rest is the value of a black pixel (insightface's letterbox padding).
 */
export function toNchw(image: RgbImage, width: number, height: number, norm: PixelNormalization): Float32Array {
  const writer = new PlaneWriter(width, height, norm);
  for (let y = 0; y < image.height; y++) writer.writeRow(y, image.data, image.width, y * image.width * 3);
  return writer.data;
}
