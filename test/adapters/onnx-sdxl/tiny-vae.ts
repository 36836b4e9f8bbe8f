import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildModel, GraphBuilder } from "../../helpers/onnx-graph.js";

/** Tiny stand-ins for SDXL's VAE: the decoder upsamples ×8 then maps 4 → 3 channels, the encoder patchifies 8×8 into 4 channels. */
export async function tinyVae(dir: string): Promise<{ decoder: string; encoder: string }> {
  const d = new GraphBuilder();
  d.conv(d.upsample(d.input("latent_sample", [1, 4, "h", "w"]), 8), 4, 3, 1, 1, "sample");
  d.output("sample", [1, 3, "H", "W"]);
  const e = new GraphBuilder();
  e.conv(e.input("sample", [1, 3, "H", "W"]), 3, 4, 8, 8, "latent_sample");
  e.output("latent_sample", [1, 4, "h", "w"]);
  const paths = { decoder: join(dir, "vae_decoder.onnx"), encoder: join(dir, "vae_encoder.onnx") };
  await writeFile(paths.decoder, buildModel(d.graph));
  await writeFile(paths.encoder, buildModel(e.graph));
  return paths;
}
