// A first image on the local runner (instantid/onnx-sdxl): face tokens from the Image Adapter, the keypoint
// image drawn by the SDK, the UNet patched once, then generate() with InstantID — the flow of
// docs/getting-started.md. It runs here on the demo's tiny self-built models (random weights, so the image
// shows that every stage ran, not a face); with real models only the paths and inputs change.
// Build and run from the project root:
//   npx tsup examples/local-runner.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/local-runner.js .cache/instantid out.png
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generate, type GenerateResult } from "../adapters/onnx-sdxl/index.js";
import {
  computeImageTokens,
  loadImageAdapter,
  patchImageAdapter,
  renderKeypoints,
  Resampler,
  savePng,
  tensor,
  type FiveKeypoints,
} from "../core/index.js";
import { buildSyntheticModels, RandomWeights, TINY_UNET } from "../core/testing.js";

/** The tiny models' output size: a 16×16 latent, 128×128 pixels. */
const SIZE = 128;
/** Where the face goes on the canvas (from face analysis of a photo in a real run). */
const KEYPOINTS: FiveKeypoints = [
  [48, 52],
  [80, 52],
  [64, 70],
  [52, 90],
  [76, 90],
];

/** The same seed generated twice: with InstantID and plain. `cacheDir` keeps the built models between runs. */
export async function localRunnerExample(cacheDir: string, steps = 4): Promise<{ withInstantId: GenerateResult; plain: GenerateResult }> {
  const config = { ...TINY_UNET, latentSize: { height: SIZE / 8, width: SIZE / 8 } };
  const models = await buildSyntheticModels(cacheDir, { unet: config }); // real: the folder `instantid models pull` fills
  const random = new RandomWeights(1);
  const embedding = random.gaussian(512); // real: largestFace(await analysis.analyze(photo)).embedding
  // Real: prompt: "a photo of a woman" with models.text = sdxlTextModels(exportDir) (docs/text.md), or
  // encodeSdxlPrompt's [1, 77, 2048] and [1, 1280]; the tiny UNet takes random tokens of its own width.
  const prompt = {
    embeds: tensor([1, 77, config.contextDim], random.gaussian(77 * config.contextDim)),
    pooled: tensor([1, config.pooledDim], random.gaussian(config.pooledDim)),
  };

  const adapter = await loadImageAdapter(models.imageAdapter);
  const tokens = await computeImageTokens(Resampler.fromWeights(adapter.imageProj), embedding);
  const keypointImage = renderKeypoints(KEYPOINTS, { width: SIZE, height: SIZE }); // the output takes its size
  const patched = await patchImageAdapter(models.unet, adapter, { outDir: join(models.dir, "patched") }); // once; reused while the files are unchanged
  const withInstantId = await generate({
    models: { unet: patched.modelPath!, vaeDecoder: models.vaeDecoder },
    prompt,
    steps,
    seed: 42,
    instantId: {
      identityNet: models.identityNet,
      faces: [{ faceTokens: tokens.cond, uncondFaceTokens: tokens.uncond, keypointImage }],
      adapterInputs: patched.inputs,
    },
  });
  const plain = await generate({
    models: { unet: models.unet, vaeDecoder: models.vaeDecoder },
    prompt,
    steps,
    seed: 42,
    width: SIZE,
    height: SIZE,
  });
  return { withInstantId, plain };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { withInstantId } = await localRunnerExample(process.argv[2] ?? ".cache/instantid");
  await savePng(process.argv[3] ?? "out.png", withInstantId.image);
  console.log(
    `${withInstantId.width}x${withInstantId.height}, seed ${withInstantId.seed}, decoded ${withInstantId.decoded}, ` +
      `${withInstantId.timings.totalMs.toFixed(0)} ms`,
  );
}
