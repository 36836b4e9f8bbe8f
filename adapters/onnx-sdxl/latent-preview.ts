import type { RgbImage, Tensor } from "../../core/index.js";

/**
 * A rough picture of a latent [1, C, h, w] when no VAE decoder is given (tiny test models): the
 * first three channels, each stretched to its own min–max, as RGB, upscaled ×8 by repetition.
 * It shows structure, not colours; label it as a preview.
 */
export function latentPreview(latent: Tensor): RgbImage {
  const [, channels, h, w] = latent.shape;
  const plane = h * w;
  const width = w * 8;
  const height = h * 8;
  const data = new Uint8Array(width * height * 3);
  for (let c = 0; c < 3; c++) {
    const source = latent.data.subarray(Math.min(c, channels - 1) * plane, (Math.min(c, channels - 1) + 1) * plane);
    let min = Infinity;
    let max = -Infinity;
    for (const v of source) (min = Math.min(min, v)), (max = Math.max(max, v));
    const range = max - min || 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = (source[Math.floor(y / 8) * w + Math.floor(x / 8)] - min) / range;
        data[(y * width + x) * 3 + c] = Math.round(v * 255);
      }
    }
  }
  return { width, height, data };
}
