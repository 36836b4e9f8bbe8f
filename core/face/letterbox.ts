import type { RgbImage } from "../image/rgb-image.js";
import { NchwTensor, toNchw, type PixelNormalization } from "./normalize.js";
import { resizeLinearToTensor } from "./resize-linear.js";

/** Where the image sits inside the detector input: its resized size (top-left) and the scale applied. */
export interface LetterboxGeometry {
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  /** resized height / original height, insightface's `det_scale`: divide detections by it. */
  readonly detScale: number;
}

/** A letterboxed detector input: NCHW float32 [1, 3, height, width] plus its geometry. */
export interface LetterboxedInput extends LetterboxGeometry {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** insightface's letterbox geometry: aspect kept, the fitting side fills the input, the other truncated to an integer. */
export function letterboxGeometry(imageWidth: number, imageHeight: number, inputWidth: number, inputHeight: number): LetterboxGeometry {
  const imageRatio = imageHeight / imageWidth;
  const inputRatio = inputHeight / inputWidth;
  let resizedWidth: number;
  let resizedHeight: number;
  if (imageRatio > inputRatio) {
    resizedHeight = inputHeight;
    resizedWidth = Math.trunc(resizedHeight / imageRatio);
  } else {
    resizedWidth = inputWidth;
    resizedHeight = Math.trunc(resizedWidth * imageRatio);
  }
  resizedWidth = Math.max(1, resizedWidth);
  resizedHeight = Math.max(1, resizedHeight);
  return { resizedWidth, resizedHeight, detScale: resizedHeight / imageHeight };
}

/**
 * Letterboxes an image into a detector input as insightface's SCRFD does (OpenCV bilinear resize,
 * top-left, zero padding). `into`, a [1, 3, inputHeight, inputWidth] array, is filled and returned
 * as the data instead of a new one: a detector reuses its input this way, sparing the page faults of
 * a fresh multi-megabyte array per image.
 */
export function letterbox(
  image: RgbImage,
  inputWidth: number,
  inputHeight: number,
  norm: PixelNormalization,
  into?: Float32Array,
): LetterboxedInput {
  const geometry = letterboxGeometry(image.width, image.height, inputWidth, inputHeight);
  const { resizedWidth, resizedHeight } = geometry;
  if (resizedWidth === image.width && resizedHeight === image.height) {
    return { ...geometry, width: inputWidth, height: inputHeight, data: toNchw(image, inputWidth, inputHeight, norm, into) };
  }
  const tensor = new NchwTensor(inputWidth, inputHeight, norm, into);
  resizeLinearToTensor(image, resizedWidth, resizedHeight, tensor);
  return { ...geometry, width: inputWidth, height: inputHeight, data: tensor.padOutside(resizedWidth, resizedHeight) };
}
