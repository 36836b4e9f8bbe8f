/** Where resized pixels go: float planes (NCHW), each byte value mapped through `table` on the way. */
export interface PlanarTarget {
  readonly data: Float32Array;
  /** Start of the R, G and B planes in `data`. */
  readonly planes: readonly [number, number, number];
  /** Floats per plane row (the tensor width, which may exceed the resized width). */
  readonly rowStride: number;
  /** Byte value (0-255) → the float written. */
  readonly table: Float32Array;
}

/**
 * Copies three `width` × `height` planes lying back to back in R, G, B order (a kernel's output) into the
 * target's planes: one block per plane when the target's rows are as wide, else row by row.
 */
export function writePlanes(planes: Float32Array, width: number, height: number, target: PlanarTarget): void {
  const plane = width * height;
  for (let c = 0; c < 3; c++) {
    const from = c * plane;
    if (target.rowStride === width) target.data.set(planes.subarray(from, from + plane), target.planes[c]);
    else
      for (let y = 0; y < height; y++)
        target.data.set(planes.subarray(from + y * width, from + (y + 1) * width), target.planes[c] + y * target.rowStride);
  }
}
