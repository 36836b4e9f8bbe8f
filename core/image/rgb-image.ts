import { ErrorCode, InstantIdError } from "../errors.js";

/** An 8-bit RGB image, pixels interleaved row by row (R, G, B, R, G, B, ...). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A black RGB image of the given size. */
export function blankImage(width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InstantIdError(ErrorCode.InvalidInput, `Image size must be positive integers but received ${width}x${height}`);
  }
  return { width, height, data: new Uint8Array(width * height * 3) };
}
