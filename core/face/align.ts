import type { RgbImage } from "../image/rgb-image.js";
import { arcfaceTemplate } from "./arcface-template.js";
import type { NchwTensor } from "./normalize.js";
import { estimateSimilarity, type AffineMatrix } from "./similarity.js";
import type { FiveKeypoints } from "./types.js";
import { warpAffine } from "./warp-affine.js";
import { warpAffineWasm } from "./warp-wasm.js";

/** An ArcFace-aligned face crop and the matrix (source → crop) that produced it. */
export interface AlignedFace {
  readonly matrix: AffineMatrix;
  readonly crop: RgbImage;
}

/** The similarity matrix taking five keypoints onto the ArcFace template of a `size` crop (insightface's `estimate_norm`). */
export function alignmentMatrix(kps: FiveKeypoints, size: number): AffineMatrix {
  return estimateSimilarity(kps, arcfaceTemplate(size));
}

/** Crops a face to the ArcFace template as insightface's `norm_crop`: similarity transform, bilinear warp, black border. */
export function alignFace(image: RgbImage, kps: FiveKeypoints, size = 112): AlignedFace {
  const matrix = alignmentMatrix(kps, size);
  return { matrix, crop: warpAffine(image, matrix, size, size) };
}

/**
 * Writes the ArcFace crop of the face at `kps` into an NCHW tensor of its size, normalised: the values
 * `toNchw(alignFace(image, kps, size).crop)` gives, made on the WebAssembly kernel when it runs, with no crop in between.
 */
export function alignFaceInto(image: RgbImage, kps: FiveKeypoints, size: number, tensor: NchwTensor): void {
  const matrix = alignmentMatrix(kps, size);
  if (!warpAffineWasm(image, matrix, size, size, tensor)) tensor.writeImage(warpAffine(image, matrix, size, size));
}
