import { fromOrtTensor, loadSession, runSession, tensor, toOrtTensor, type OrtSession, type RgbImage, type Tensor } from "../../core/index.js";

/** Runs `use` on the session of `model`: an open session as is, a path opened for the call and released after. */
async function withSession<T>(model: string | OrtSession, what: string, use: (session: OrtSession) => Promise<T>): Promise<T> {
  if (typeof model !== "string") return use(model);
  const session = await loadSession(model, { what });
  try {
    return await use(session);
  } finally {
    await session.release();
  }
}

/** Decodes a latent [1, 4, h, w] (divided by the VAE factor first) with an ONNX VAE decoder (a path or an open session) into an RGB image. */
export async function decodeLatent(decoder: string | OrtSession, latent: Tensor, scalingFactor: number): Promise<RgbImage> {
  return withSession(decoder, "VAE decoder", async (session) => {
    const scaled = tensor(latent.shape, latent.data.map((v) => v / scalingFactor));
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(scaled) }, "VAE decoder");
    return imageFromNchw(fromOrtTensor(outputs[session.outputNames[0]], "VAE decoder output"));
  });
}

/** Encodes an RGB image with an ONNX VAE encoder (a path or an open session) into a latent, multiplied by the VAE factor. */
export async function encodeImage(encoder: string | OrtSession, image: RgbImage, scalingFactor: number): Promise<Tensor> {
  return withSession(encoder, "VAE encoder", async (session) => {
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(nchwFromImage(image)) }, "VAE encoder");
    const latent = fromOrtTensor(outputs[session.outputNames[0]], "VAE encoder output");
    return tensor(latent.shape, latent.data.map((v) => v * scalingFactor));
  });
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
