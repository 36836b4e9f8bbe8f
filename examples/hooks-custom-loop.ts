// A custom denoising loop driven by InstantID hooks, against the tiny reference graphs in
// ../shared/golden/unet. Build and run:
//   npx tsup examples/hooks-custom-loop.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/hooks-custom-loop.js ../shared/golden/unet
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  composeHooks,
  computeImageTokens,
  createImageAdapterHook,
  createIdentityNetHook,
  loadControlNet,
  loadImageAdapter,
  loadUnet,
  patchImageAdapter,
  Resampler,
  SafetensorsFile,
  type StepContext,
  type Tensor,
  runUnet,
} from "../core/index.js";

/** What the loop returns: the final latent and, per step, whether IdentityNet contributed. */
export interface CustomLoopResult {
  readonly latent: Tensor;
  readonly identityNetActive: boolean[];
}

/** Runs `steps` classifier-free-guided steps of a toy Euler loop with IdentityNet active on [start, end]. */
export async function runCustomLoop(dir: string, steps = 4, guidance = 5): Promise<CustomLoopResult> {
  const cases = await SafetensorsFile.open(join(dir, "cases.safetensors"));
  const get = (name: string) => cases.tensor(name);
  // Face tokens: the checkpoint's Resampler on the face embedding (Resampler(zeros) for the negative).
  const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
  const resampler = Resampler.fromWeights(adapter.imageProj, { heads: 3 }); // the tiny model's head split
  const tokens = await computeImageTokens(resampler, (await get("face_embedding")).data);
  // The UNet patched with the image attention; the patched copy goes to a scratch folder here.
  const scratch = await mkdtemp(join(tmpdir(), "instantid-example-"));
  const patched = await patchImageAdapter(join(dir, "unet.onnx"), adapter, { outDir: scratch });
  const unet = await loadUnet(patched.modelPath!);
  const identityNet = createIdentityNetHook({
    model: await loadControlNet(join(dir, "identitynet.onnx")),
    unet: unet.residualInputs, // fails now, not at step 1, if the graphs do not fit
    identities: [
      { faceTokens: tokens.cond, uncondFaceTokens: tokens.uncond, keypointImage: await get("kps_image"), identityNetScale: 0.8 },
    ],
    start: 0,
    end: 0.5,
  });
  const imageAdapter = createImageAdapterHook({
    identities: [{ faceTokens: tokens.cond, uncondFaceTokens: tokens.uncond, adapterScale: 0.8 }],
    inputNames: patched.inputs,
  });
  // More hooks (depth or pose ControlNets, more faces) join here; their residuals add up.
  const hooks = composeHooks(identityNet, imageAdapter);

  const noise = await get("sample");
  const [promptEmbeds, textEmbeds, timeIds] = [await get("prompt_embeds"), await get("text_embeds"), await get("time_ids")];
  await cases.close();
  const sigmas = Array.from({ length: steps + 1 }, (_, i) => 1 - i / steps);
  let latent = noise;
  const identityNetActive: boolean[] = [];
  await hooks.prepare({ rows: ["uncond", "cond"], width: 128, height: 128, steps });
  try {
    for (let i = 0; i < steps; i++) {
      const step: StepContext = {
        index: i,
        total: steps,
        sample: { shape: [2, ...latent.shape.slice(1)], data: concat(latent.data, latent.data) },
        timestep: { shape: [1], data: new Float32Array([999 * sigmas[i]]) },
        promptEmbeds, // rows [negative, positive]
        textEmbeds,
        timeIds,
      };
      const contribution = await hooks.beforeStep(step);
      identityNetActive.push(contribution.residuals !== undefined);
      const eps = await runUnet(unet, step, contribution);
      latent = eulerStep(latent, guided(eps, guidance), sigmas[i + 1] - sigmas[i]);
    }
  } finally {
    hooks.reset();
    await rm(scratch, { recursive: true, force: true });
  }
  return { latent, identityNetActive };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// Rows [uncond, cond] → uncond + g · (cond − uncond).
function guided(eps: Tensor, guidance: number): Float32Array {
  const half = eps.data.length / 2;
  return eps.data.subarray(0, half).map((u, k) => u + guidance * (eps.data[half + k] - u));
}

function eulerStep(latent: Tensor, eps: Float32Array, dt: number): Tensor {
  return { shape: latent.shape, data: latent.data.map((x, k) => x + dt * eps[k]) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { latent, identityNetActive } = await runCustomLoop(process.argv[2] ?? "../shared/golden/unet");
  const mean = latent.data.reduce((s, v) => s + v, 0) / latent.data.length;
  console.log(`latent [${latent.shape.join(", ")}], mean ${mean.toFixed(5)}; IdentityNet active per step: ${identityNetActive.join(", ")}`);
}
