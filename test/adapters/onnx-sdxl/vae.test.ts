import { beforeAll, describe, expect, it } from "vitest";
import { tensor } from "../../../core/tensor/tensor.js";
import { decodeLatent, decodeLatentToTensor, encodeImage, imageFromNchw, nchwFromImage } from "../../../adapters/onnx-sdxl/vae.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { tinyVae } from "./tiny-vae.js";

describe("VAE helpers", () => {
  let vae: { decoder: string; encoder: string };
  beforeAll(async () => {
    vae = await tinyVae(await tempDir());
  });

  it("maps [−1, 1] to 0…255 and back within one grey level", () => {
    const image = { width: 2, height: 1, data: Uint8Array.of(0, 128, 255, 10, 20, 30) };
    const t = nchwFromImage(image);
    expect(t.shape).toEqual([1, 3, 1, 2]);
    expect(t.data[0]).toBe(-1);
    expect(imageFromNchw(t).data).toEqual(image.data);
  });

  it("clamps decoder output outside [−1, 1]", () => {
    expect(imageFromNchw(tensor([1, 3, 1, 1], [-3, 0, 3])).data).toEqual(Uint8Array.of(0, 128, 255));
  });

  it("decodes a latent ×8 in size through an ONNX decoder, dividing by the VAE factor first", async () => {
    const image = await decodeLatent(vae.decoder, tensor([1, 4, 2, 2], new Float32Array(16)), 0.13025);
    expect([image.width, image.height]).toEqual([16, 16]);
    expect(image.data.every((v) => v === 128)).toBe(true);
  });

  it("encodes an image to a latent 1/8 in size, multiplied by the VAE factor", async () => {
    const latent = await encodeImage(vae.encoder, { width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).fill(255) }, 2);
    expect(latent.shape).toEqual([1, 4, 2, 2]);
    const unscaled = await encodeImage(vae.encoder, { width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).fill(255) }, 1);
    expect(latent.data[0]).toBeCloseTo(2 * unscaled.data[0], 5);
  });
});

describeShared("VAE decoding as diffusers' pipeline does (golden/pipeline)", "golden/pipeline", () => {
  it(
    "decodes the expected final latents of optimum's vae_decoder export into the expected images: latent / factor, then (x / 2 " +
      "+ 0.5).clamp(0, 1), NHWC",
    async () => {
      const expected = await SafetensorsFile.open(sharedPath("golden", "pipeline", "expected.safetensors"));
      try {
        for (const name of ["full", "window"]) {
          const image = await decodeLatentToTensor(
            sharedPath("golden", "pipeline", "vae_decoder", "model.onnx"),
            await expected.tensor(`${name}_latent`),
            0.13025,
          );
          const reference = await expected.tensor(`${name}_image`);
          expect(image.shape).toEqual(reference.shape);
          assertClose(image.data, reference.data, { abs: 1e-4 }, `${name}_image`);
        }
      } finally {
        await expected.close();
      }
    },
  );
});
