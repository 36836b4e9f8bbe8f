// A first image on the local runner (instantid/onnx-sdxl): face tokens from the Image Adapter, the keypoint
// image drawn by the SDK, the UNet patched once, then generate() with InstantID — the flow of
// docs/getting-started.md, here on the tiny reference graphs in ../shared/golden/unet (no VAE: the result
// is the latent and a preview). Build and run from the project root:
//   npx tsup examples/local-runner.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/local-runner.js ../shared/golden/unet preview.png
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generate, type GenerateResult } from "../adapters/onnx-sdxl/index.js";
import { computeImageTokens, loadImageAdapter, patchImageAdapter, renderKeypoints, Resampler, SafetensorsFile, savePng, type FiveKeypoints, type Tensor } from "../core/index.js";

/** Where the face goes on the 128×128 canvas of the tiny models (from face analysis in a real run). */
const KEYPOINTS: FiveKeypoints = [[48, 52], [80, 52], [64, 70], [52, 90], [76, 90]];

const row = (t: Tensor, i: number): Tensor => {
  const size = t.data.length / t.shape[0];
  return { shape: [1, ...t.shape.slice(1)], data: t.data.slice(i * size, (i + 1) * size) };
};

/** The same seed generated twice on the golden graphs: with InstantID and plain. */
export async function localRunnerExample(dir: string, steps = 4): Promise<{ withInstantId: GenerateResult; plain: GenerateResult }> {
  const cases = await SafetensorsFile.open(join(dir, "cases.safetensors"));
  const [embeds, pooled, embedding] = [await cases.tensor("prompt_embeds"), await cases.tensor("text_embeds"), await cases.tensor("face_embedding")];
  await cases.close();
  // Rows [negative, positive] of a text encoder's output (the SDK runs no text encoder).
  const prompt = { embeds: row(embeds, 1), pooled: row(pooled, 1), negativeEmbeds: row(embeds, 0), negativePooled: row(pooled, 0) };

  const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
  const tokens = computeImageTokens(Resampler.fromWeights(adapter.imageProj, { heads: 3 }), embedding.data); // the tiny model's head split
  const keypointImage = renderKeypoints(KEYPOINTS, { width: 128, height: 128 }); // the output takes its size
  const scratch = await mkdtemp(join(tmpdir(), "instantid-example-"));
  try {
    const patched = await patchImageAdapter(join(dir, "unet.onnx"), adapter, { outDir: scratch });
    const withInstantId = await generate({
      models: { unet: patched.modelPath! },
      prompt,
      steps,
      seed: 42,
      instantId: {
        identityNet: join(dir, "identitynet.onnx"),
        faces: [{ faceTokens: tokens.cond, uncondFaceTokens: tokens.uncond, keypointImage }],
        adapterInputs: patched.inputs,
      },
    });
    const plain = await generate({ models: { unet: join(dir, "unet.onnx") }, prompt, steps, seed: 42, width: 128, height: 128 });
    return { withInstantId, plain };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { withInstantId } = await localRunnerExample(process.argv[2] ?? "../shared/golden/unet");
  await savePng(process.argv[3] ?? "preview.png", withInstantId.image);
  console.log(`${withInstantId.width}x${withInstantId.height}, seed ${withInstantId.seed}, decoded ${withInstantId.decoded}, ${withInstantId.timings.totalMs.toFixed(0)} ms`);
}
