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
