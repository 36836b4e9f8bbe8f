import { fromOrtTensor, loadSession, runSession, tensor, toOrtTensor, type RgbImage, type Tensor } from "../../core/index.js";

/** Decodes a latent [1, 4, h, w] (divided by the VAE factor first) with an ONNX VAE decoder into an RGB image. */
export async function decodeLatent(decoderPath: string, latent: Tensor, scalingFactor: number): Promise<RgbImage> {
  const session = await loadSession(decoderPath, { what: "VAE decoder" });
  try {
    const scaled = tensor(latent.shape, latent.data.map((v) => v / scalingFactor));
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(scaled) }, "VAE decoder");
    return imageFromNchw(fromOrtTensor(outputs[session.outputNames[0]], "VAE decoder output"));
  } finally {
    await session.release();
  }
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
  const [, , height, width] = t.shape;
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.min(Math.max(t.data[c * plane + p] / 2 + 0.5, 0), 1);
      data[p * 3 + c] = Math.round(v * 255);
    }
  }
  return { width, height, data };
}

/** 8-bit RGB → [1, 3, H, W] in [−1, 1]. */
export function nchwFromImage(image: RgbImage): Tensor {
  const plane = image.width * image.height;
  const data = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) data[c * plane + p] = (image.data[p * 3 + c] / 255) * 2 - 1;
  return tensor([1, 3, image.height, image.width], data);
}
