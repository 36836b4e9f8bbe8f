import { fromOrtTensor, loadSession, runSession, tensor, toOrtTensor, type RgbImage, type Tensor } from "../../core/index.js";

/** Decodes a latent [1, 4, h, w] (divided by the VAE factor first) with an ONNX VAE decoder into an RGB image. */
export async function decodeLatent(decoderPath: string, latent: Tensor, scalingFactor: number): Promise<RgbImage> {
  return imageFromNhwc(await decodeLatentToTensor(decoderPath, latent, scalingFactor));
}

/**
 * Decodes as diffusers' pipelines do: `vae.decode(latent / scaling_factor)`, then the image processor's
 * `(x / 2 + 0.5).clamp(0, 1)`, returned as float [B, H, W, 3] in [0, 1] (NHWC, diffusers' "np" output).
 * The decoder is any ONNX VAE decoder with one input and one output (optimum's `vae_decoder/model.onnx`:
 * `latent_sample` → `sample`).
 */
export async function decodeLatentToTensor(decoderPath: string, latent: Tensor, scalingFactor: number): Promise<Tensor> {
  const session = await loadSession(decoderPath, { what: "VAE decoder" });
  try {
    const scaled = tensor(latent.shape, latent.data.map((v) => v / scalingFactor));
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(scaled) }, "VAE decoder");
    return nhwcFromNchw(fromOrtTensor(outputs[session.outputNames[0]], "VAE decoder output"));
  } finally {
    await session.release();
  }
}

/** [B, 3, H, W] in [−1, 1] → [B, H, W, 3] in [0, 1]: (x / 2 + 0.5).clamp(0, 1). */
export function nhwcFromNchw(t: Tensor): Tensor {
  const [batch, channels, height, width] = t.shape;
  const plane = width * height;
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < batch; b++) {
    const base = b * channels * plane;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) out[base + p * channels + c] = Math.min(Math.max(t.data[base + c * plane + p] / 2 + 0.5, 0), 1);
    }
  }
  return tensor([batch, height, width, channels], out);
}

/** The first image of [B, H, W, 3] in [0, 1] as 8-bit RGB (diffusers' `numpy_to_pil`: round(x · 255)). */
export function imageFromNhwc(t: Tensor): RgbImage {
  const [, height, width] = t.shape;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(t.data[i] * 255);
  return { width, height, data };
}

/** Encodes an RGB image with an ONNX VAE encoder into a latent, multiplied by the VAE factor. */
export async function encodeImage(encoderPath: string, image: RgbImage, scalingFactor: number): Promise<Tensor> {
  const session = await loadSession(encoderPath, { what: "VAE encoder" });
  try {
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(nchwFromImage(image)) }, "VAE encoder");
    const latent = fromOrtTensor(outputs[session.outputNames[0]], "VAE encoder output");
    return tensor(latent.shape, latent.data.map((v) => v * scalingFactor));
  } finally {
    await session.release();
  }
}

/** [1, 3, H, W] in [−1, 1] → 8-bit RGB, as diffusers' image processor denormalises. */
export function imageFromNchw(t: Tensor): RgbImage {
  return imageFromNhwc(nhwcFromNchw(t));
}

/** 8-bit RGB → [1, 3, H, W] in [−1, 1]. */
export function nchwFromImage(image: RgbImage): Tensor {
  const plane = image.width * image.height;
  const data = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) data[c * plane + p] = (image.data[p * 3 + c] / 255) * 2 - 1;
  return tensor([1, 3, image.height, image.width], data);
}
