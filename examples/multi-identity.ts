// Two people in one picture: a composition (identities, regions, keypoints) checked once, a layout
// preview, then the local runner with the composition's hooks and the left person's region prompt — on the demo's tiny self-built models
// (random weights: the image shows the pipeline ran, not faces). The same composition also drives the
// A1111 and ComfyUI bridges (`instantid compose --backend a1111|comfyui`, docs/multi-identity.md).
// Build and run from the project root:
//   npx tsup examples/multi-identity.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/multi-identity.js .cache/instantid out
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generate, type GenerateResult } from "../adapters/onnx-sdxl/index.js";
import {
  compositionPatchOptions,
  compositionRegionMasks,
  createComposition,
  createIdentity,
  drawCompositionPreview,
  loadControlNet,
  loadImageAdapter,
  loadUnet,
  patchImageAdapter,
  Resampler,
  savePng,
  tensor,
  toLocalHooks,
  type Composition,
  type Identity,
  type RgbImage,
} from "../core/index.js";
import { buildSyntheticModels, RandomWeights, TINY_UNET } from "../core/testing.js";

/** The tiny models' canvas: a 16×32 latent, 256×128 pixels, one person per half. */
const WIDTH = 256;
const HEIGHT = 128;

/** What {@link multiIdentityExample} produced. */
export interface MultiIdentityResult {
  readonly composition: Composition;
  /** The layout: regions tinted, keypoints drawn, as `--preview` writes it. */
  readonly preview: RgbImage;
  readonly result: GenerateResult;
}

/** A person for the example: a seeded random embedding (real: `loadIdentity("alice.identity.safetensors")`). */
function samplePerson(seed: number): Identity {
  return createIdentity([{ embedding: new RandomWeights(seed).gaussian(512) }]);
}

/** Places `left` and `right` in the two halves of the canvas and generates them with the local runner. */
export async function multiIdentityExample(
  cacheDir: string,
  people: { left: Identity; right: Identity } = { left: samplePerson(11), right: samplePerson(12) },
  steps = 3,
): Promise<MultiIdentityResult> {
  const composition = createComposition({
    width: WIDTH,
    height: HEIGHT,
    prompt: "two friends at the beach",
    identities: [
      { identity: people.left, name: "left", region: { rect: [0, 0, WIDTH / 2, HEIGHT] }, prompt: "red hat" }, // keypoints: fitted into the region
      { identity: people.right, name: "right", region: { rect: [WIDTH / 2, 0, WIDTH, HEIGHT] }, adapterScale: 0.7, end: 0.6 },
    ],
  });
  for (const warning of composition.warnings) console.warn(warning.code, warning.message);

  const config = { ...TINY_UNET, latentSize: { height: HEIGHT / 8, width: WIDTH / 8 } };
  const models = await buildSyntheticModels(cacheDir, { unet: config });
  const adapter = await loadImageAdapter(models.imageAdapter);
  // One image-attention input set per identity, with masks.
  const patched = await patchImageAdapter(models.unet, adapter, {
    ...compositionPatchOptions(composition),
    outDir: join(models.dir, "patched-2"),
  });
  const { hooks } = await toLocalHooks(composition, {
    identityNet: await loadControlNet(models.identityNet),
    resampler: Resampler.fromWeights(adapter.imageProj),
    unet: (await loadUnet(patched.modelPath!)).residualInputs, // checks IdentityNet against the UNet now
    imageAdapterInputs: patched.inputs,
  });
  const random = new RandomWeights(3); // real: the prompt's text-encoder output
  const prompt = {
    embeds: tensor([1, 77, config.contextDim], random.gaussian(77 * config.contextDim)),
    pooled: tensor([1, config.pooledDim], random.gaussian(config.pooledDim)),
  };
  // The left region's prompt: tokens of "two friends at the beach, red hat" (real: the same text encoders), in its mask.
  const hatTokens = tensor([1, 77, config.contextDim], random.gaussian(77 * config.contextDim));
  const regions = compositionRegionMasks(composition).map((region) => ({ embeds: hatTokens, mask: region.mask }));
  const result = await generate(
    { models: { unet: patched.modelPath!, vaeDecoder: models.vaeDecoder }, prompt, regions, steps, seed: 42, width: WIDTH, height: HEIGHT },
    { hooks: [hooks] },
  );
  return { composition, preview: drawCompositionPreview(composition), result };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = process.argv[3] ?? "out";
  const { preview, result } = await multiIdentityExample(process.argv[2] ?? ".cache/instantid");
  await savePng(`${out}-layout.png`, preview);
  await savePng(`${out}.png`, result.image);
  console.log(`${out}-layout.png, ${out}.png (${result.width}x${result.height}, ${result.timings.totalMs.toFixed(0)} ms)`);
}
