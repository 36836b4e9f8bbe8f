import { tensor, type RgbImage, type Tensor } from "../../core/index.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor, type OrtSession } from "../../core/internal.js";

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

/**
 * Decodes a latent [1, 4, h, w] (divided by the VAE factor first) with an ONNX VAE decoder (a path or an open session) into an RGB image.
 */
export async function decodeLatent(decoder: string | OrtSession, latent: Tensor, scalingFactor: number): Promise<RgbImage> {
  return imageFromNhwc(await decodeLatentToTensor(decoder, latent, scalingFactor));
}

/**
 * Decodes as diffusers' pipelines do: `vae.decode(latent / scaling_factor)`, then the image processor's
 * `(x / 2 + 0.5).clamp(0, 1)`, returned as float [B, H, W, 3] in [0, 1] (NHWC, diffusers' "np" output).
 * The decoder is any ONNX VAE decoder with one input and one output (optimum's `vae_decoder/model.onnx`:
 * `latent_sample` → `sample`), given as a path or an open session.
 */
export async function decodeLatentToTensor(decoder: string | OrtSession, latent: Tensor, scalingFactor: number): Promise<Tensor> {
  return withSession(decoder, "VAE decoder", async (session) => {
    const scaled = tensor(
      latent.shape,
      latent.data.map((v) => v / scalingFactor),
    );
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(scaled) }, "VAE decoder");
    return nhwcFromNchw(fromOrtTensor(outputs[session.outputNames[0]], "VAE decoder output"));
  });
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

/** Encodes an RGB image with an ONNX VAE encoder (a path or an open session) into a latent, multiplied by the VAE factor. */
export async function encodeImage(encoder: string | OrtSession, image: RgbImage, scalingFactor: number): Promise<Tensor> {
  return withSession(encoder, "VAE encoder", async (session) => {
    const outputs = await runSession(session, { [session.inputNames[0]]: toOrtTensor(nchwFromImage(image)) }, "VAE encoder");
    const latent = fromOrtTensor(outputs[session.outputNames[0]], "VAE encoder output");
    return tensor(
      latent.shape,
      latent.data.map((v) => v * scalingFactor),
    );
  });
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
