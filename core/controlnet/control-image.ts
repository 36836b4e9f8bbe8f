import { ErrorCode, InstantIdError } from "../errors.js";
import type { RgbImage } from "../image/rgb-image.js";
import type { Tensor } from "../tensor/tensor.js";

/** A conditioning image as an RGB image (8-bit) or a [1, 3, H, W] tensor already in [0, 1]. */
export type ControlImage = RgbImage | Tensor;

/** The conditioning image as ControlNets take it: NCHW float in [0, 1], one row. */
export function controlImageTensor(image: ControlImage): Tensor {
  if ("shape" in image) {
    if (image.shape.length !== 4 || image.shape[0] !== 1 || image.shape[1] !== 3) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `A conditioning image tensor must be [1, 3, H, W] in [0, 1] but has shape [${image.shape.join(", ")}]`,
      );
    }
    return image;
  }
  const area = image.width * image.height;
  const data = new Float32Array(3 * area);
  for (let p = 0; p < area; p++) {
    for (let c = 0; c < 3; c++) data[c * area + p] = image.data[p * 3 + c] / 255;
  }
  return { shape: [1, 3, image.height, image.width], data };
}

/** Stacks one-row tensors into a batch, row r taken from `rowsOf(r)`. Done once per generation. */
export function stackRows(rows: readonly Tensor[]): Tensor {
  const first = rows[0];
  const rowShape = first.shape[0] === 1 ? first.shape.slice(1) : first.shape;
  const size = rowShape.reduce((n, d) => n * d, 1);
  const data = new Float32Array(size * rows.length);
  rows.forEach((row, r) => {
    if (row.data.length !== size) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `Row ${r} has shape [${row.shape.join(", ")}] but row 0 has [${first.shape.join(", ")}]`,
      );
    }
    data.set(row.data, r * size);
  });
  return { shape: [rows.length, ...rowShape], data };
}
